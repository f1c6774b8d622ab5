import { severityRank } from '../model/severity.ts';
import type { Report, Vulnerability } from '../model/report.ts';

/**
 * The vulnerabilities of a bundle's reports. Two findings for the same vulnerability (one's ID is
 * the other's ID or alias; sharing only an alias such as an RHSA that fixes several CVEs is not
 * enough) in the same package and installed version become one: all aliases and CVSS scores, a fix
 * if any has one, and the higher severity (fail closed). That holds across reports (Trivy's CVE and
 * Grype's GHSA that names it) and within one report when the IDs differ (Grype lists a GHSA match
 * and the CVE it names, from two databases, for one package). Findings of one report with the same
 * ID (the same package at two paths) stay apart: the rules count them once.
 * Package names compare case-insensitively, a Maven `groupId:artifactId` as its artifactId (Trivy
 * writes `org.apache.logging.log4j:log4j-core`, Grype `log4j-core`).
 * A bundle whose vulnerabilities come from one report in which no two findings could merge is returned as is.
 */
export function mergeVulnerabilities(reports: readonly Report[]): Vulnerability[] {
  const sources = reports.filter((report) => report.vulnerabilities.length > 0);
  if (sources.length === 0) return [];
  if (sources.length === 1 && !mayMergeWithin(sources[0]!.vulnerabilities)) return sources[0]!.vulnerabilities;
  const merged: Vulnerability[] = [];
  /** Which reports contributed to each merged finding. */
  const contributors: Set<number>[] = [];
  const index: MergeIndex = { ids: new Map(), primaries: new Map() };
  sources.forEach((report, reportIndex) => {
    for (const vulnerability of report.vulnerabilities) {
      const at = findExisting(index, merged, contributors, vulnerability, reportIndex);
      if (at === undefined) {
        const copy: Vulnerability = { ...vulnerability, aliases: [...vulnerability.aliases], cvss: [...vulnerability.cvss] };
        contributors.push(new Set([reportIndex]));
        remember(index, copy, vulnerability, merged.length);
        merged.push(copy);
      } else {
        mergeInto(merged[at]!, vulnerability);
        contributors[at]!.add(reportIndex);
        remember(index, merged[at]!, vulnerability, at);
      }
    }
  });
  return merged;
}

/**
 * Whether two findings of one report could be one vulnerability: only when an alias is another
 * finding's ID, or two findings share an alias (case-insensitively; package and version are not
 * compared, so a true answer may still merge nothing). Two findings with the same ID never merge.
 */
function mayMergeWithin(vulnerabilities: readonly Vulnerability[]): boolean {
  const aliases = new Set<string>();
  for (const vulnerability of vulnerabilities) {
    for (const alias of vulnerability.aliases) {
      const key = alias.toUpperCase();
      if (aliases.has(key)) return true;
      aliases.add(key);
    }
  }
  if (aliases.size === 0) return false;
  // Usually no alias is a CVE ID (GHSA, RHSA, …): then no CVE ID needs upper-casing and looking up.
  const hasCveAlias = [...aliases].some(isCveLike);
  return vulnerabilities.some(({ id }) => (hasCveAlias || !isCveLike(id)) && aliases.has(id.toUpperCase()));
}

/** Starts with `CVE-` in any case. */
function isCveLike(id: string): boolean {
  return (id.charCodeAt(0) | 32) === 99 && (id.charCodeAt(1) | 32) === 118 && (id.charCodeAt(2) | 32) === 101 && id.charCodeAt(3) === 45;
}

/**
 * `ids`: every ID and alias of each merged finding; `primaries`: only the IDs some report gave as a
 * finding's own ID. Two findings are one vulnerability when one's own ID is the other's ID or alias;
 * two that merely share an alias are not (one RHSA or DSA advisory fixes several CVEs).
 */
interface MergeIndex {
  ids: Map<string, number>;
  primaries: Map<string, number>;
}

function keyOf(id: string, vulnerability: Vulnerability): string {
  return `${packageKey(vulnerability.package)}\u0000${vulnerability.installedVersion}\u0000${id.toUpperCase()}`;
}

/** `org.apache.logging.log4j:log4j-core` → `log4j-core`; `Django` → `django`. */
function packageKey(name: string): string {
  const colon = name.lastIndexOf(':');
  return (colon < 0 ? name : name.slice(colon + 1)).toLowerCase();
}

function findExisting(index: MergeIndex, merged: readonly Vulnerability[], contributors: Set<number>[], vulnerability: Vulnerability, reportIndex: number): number | undefined {
  const candidates = [index.ids.get(keyOf(vulnerability.id, vulnerability))];
  for (const alias of vulnerability.aliases) candidates.push(index.primaries.get(keyOf(alias, vulnerability)));
  for (const at of candidates) {
    if (at === undefined) continue;
    // Within one report, only two different IDs for one vulnerability merge.
    if (!contributors[at]!.has(reportIndex) || merged[at]!.id.toUpperCase() !== vulnerability.id.toUpperCase()) return at;
  }
  return undefined;
}

function remember(index: MergeIndex, kept: Vulnerability, added: Vulnerability, at: number): void {
  const primary = keyOf(added.id, kept);
  if (!index.primaries.has(primary)) index.primaries.set(primary, at);
  for (const id of [kept.id, ...kept.aliases]) {
    const key = keyOf(id, kept);
    if (!index.ids.has(key)) index.ids.set(key, at);
  }
}

function mergeInto(kept: Vulnerability, other: Vulnerability): void {
  for (const alias of [other.id, ...other.aliases]) {
    if (alias !== kept.id && !kept.aliases.includes(alias)) kept.aliases.push(alias);
  }
  for (const score of other.cvss) {
    const isKnown = kept.cvss.some((c) => c.version === score.version && c.source === score.source && c.score === score.score);
    if (!isKnown) kept.cvss.push(score);
  }
  if (kept.fixedVersion === undefined && other.fixedVersion !== undefined) kept.fixedVersion = other.fixedVersion;
  if (severityRank(other.severity) > severityRank(kept.severity)) kept.severity = other.severity;
  if (kept.status === undefined && other.status !== undefined) kept.status = other.status;
  if (kept.title === undefined && other.title !== undefined) kept.title = other.title;
  if (kept.url === undefined && other.url !== undefined) kept.url = other.url;
  if (kept.path === undefined && other.path !== undefined) kept.path = other.path;
  if (kept.purl === undefined && other.purl !== undefined) kept.purl = other.purl;
  // The earliest date any source gives: "newly disclosed" is claimed only when every source agrees it is new.
  if (other.published !== undefined && (kept.published === undefined || other.published < kept.published)) kept.published = other.published;
}
