import type { Bundle } from '../model/bundle.ts';
import type { Vulnerability } from '../model/report.ts';
import type { Attribution, BaselineRef, Violation } from '../model/verdict.ts';

/**
 * Attribution (issue 11): was a finding brought by the change, or was it there before it? Pure:
 * the caller passes the baseline bundle (the stored facts of the same image at the merge base, or
 * the latest default-branch facts, or `--baseline` reports); without one every finding counts as
 * introduced (fail closed).
 *
 * - **identity** of a vulnerability: its ID or an alias (one's own ID is the other's ID or alias,
 *   as bundles/merge-vulnerabilities decides), the package name, type and path, never the version:
 *   an upgrade that still carries the CVE is inherited, not new;
 * - **inherited**: the baseline has a vulnerability of the same identity;
 * - **newly disclosed**: it has none, but the same package at the same version is in the baseline
 *   (its package list, or a vulnerability of the baseline names it): the scanner's database learned
 *   about it since. A baseline that lists every package and lacks it: introduced. A baseline
 *   without a full package list: newly disclosed only when the vulnerability was published after
 *   the baseline's scan;
 * - **introduced**: everything else.
 * Other violations (secrets, checks, root user, …) are inherited when the baseline, judged by the
 * same policy, has a violation of the same rule, ID, package and place (see evaluate.ts).
 */

export interface Baseline {
  bundle: Bundle;
  ref: BaselineRef;
}

/** The class of each vulnerability of `head`, by index. */
export function attributeVulnerabilities(head: readonly Vulnerability[], baseline: Bundle | undefined): Attribution[] {
  if (baseline === undefined) return head.map(() => 'introduced');
  const index = indexBaseline(baseline);
  return head.map((vulnerability) => attributeOne(vulnerability, index, baseline));
}

interface BaselineIndex {
  /** `package key \0 ID` for every ID and alias of the baseline's vulnerabilities. */
  ids: Set<string>;
  /** `package key \0 ID` for the baseline's vulnerabilities' own IDs. */
  primaries: Set<string>;
  /** `name \0 version` of every package the baseline names. */
  installed: Set<string>;
}

function indexBaseline(baseline: Bundle): BaselineIndex {
  const index: BaselineIndex = { ids: new Set(), primaries: new Set(), installed: new Set() };
  for (const vulnerability of baseline.vulnerabilities) {
    const key = packageKey(vulnerability);
    index.primaries.add(`${key}\u0000${vulnerability.id.toUpperCase()}`);
    index.ids.add(`${key}\u0000${vulnerability.id.toUpperCase()}`);
    for (const alias of vulnerability.aliases) index.ids.add(`${key}\u0000${alias.toUpperCase()}`);
    index.installed.add(installedKey(vulnerability.package, vulnerability.installedVersion));
  }
  for (const pkg of baseline.packages) index.installed.add(installedKey(pkg.name, pkg.version));
  return index;
}

function attributeOne(vulnerability: Vulnerability, index: BaselineIndex, baseline: Bundle): Attribution {
  const key = packageKey(vulnerability);
  if (index.ids.has(`${key}\u0000${vulnerability.id.toUpperCase()}`)) return 'inherited';
  for (const alias of vulnerability.aliases) if (index.primaries.has(`${key}\u0000${alias.toUpperCase()}`)) return 'inherited';
  if (index.installed.has(installedKey(vulnerability.package, vulnerability.installedVersion))) return 'newly_disclosed';
  if (baseline.listsAllPackages === true) return 'introduced';
  const isPublishedSinceScan = vulnerability.published !== undefined && baseline.scannedAt !== undefined && Date.parse(vulnerability.published) > Date.parse(baseline.scannedAt);
  return isPublishedSinceScan ? 'newly_disclosed' : 'introduced';
}

/**
 * Name (a Maven `group:artifact` as its artifact, case-insensitively, as merge-vulnerabilities
 * compares them), type and path: what stays when the package is upgraded.
 */
function packageKey(vulnerability: Vulnerability): string {
  const name = vulnerability.package;
  const colon = name.lastIndexOf(':');
  const bare = (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
  return `${bare}\u0000${vulnerability.packageType}\u0000${vulnerability.path ?? ''}`;
}

function installedKey(name: string, version: string): string {
  const colon = name.lastIndexOf(':');
  return `${(colon < 0 ? name : name.slice(colon + 1)).toLowerCase()}\u0000${version}`;
}

/** What makes two non-vulnerability violations the same finding: rule, ID, package and place. */
export function violationIdentity(violation: Violation): string {
  return `${violation.rule}\u0000${violation.id}\u0000${violation.package ?? ''}\u0000${violation.location?.path ?? ''}`;
}

