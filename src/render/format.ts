import { isBlocking } from '../model/blocked.ts';
import { RULES } from '../engine/rules/index.ts';
import { severityRank } from '../model/severity.ts';
import type { Attribution, BaselineRef, ExceptionUse, ImageVerdict, PolicyVerdict, Violation, VexUse } from '../model/verdict.ts';
import type { OutcomeProblem, ProblemKind } from '../model/outcome.ts';
import { truncateText } from './truncate.ts';

/** The longest scanner-provided value shown in one table cell or line. */
export const MAX_VALUE_CHARS = 200;

/**
 * Makes a scanner-provided string safe inside markdown text and table cells: one line, no HTML,
 * no markdown syntax, no `|` that ends a cell, no @mention that pings someone, no `#123` or
 * `owner/repo#1` that links (and notifies) an issue, no bidirectional control character that shows
 * the text in another order than it is. Cut to `maxChars` first, so escaping never makes the cut
 * land inside an entity.
 */
export function escapeMarkdown(value: string, maxChars = MAX_VALUE_CHARS): string {
  if (SAFE_MARKDOWN.test(value) && value.length <= maxChars) return value;
  const oneLine = truncateText(value.replace(/[\r\n\t\u2028\u2029]+/g, ' '), maxChars);
  // Control and bidirectional control characters are not in the table: they are dropped.
  return oneLine.replace(MARKDOWN_SPECIAL, (match) => (match.length > 1 || match === '#' ? `${match}&#8203;` : (MARKDOWN_ESCAPES[match] ?? '')));
}

/** Values made only of these need no escaping (most IDs, versions, package names). */
const SAFE_MARKDOWN = /^[A-Za-z0-9 .,:;=/+-]*$/;
/**
 * Bidirectional controls: embeddings and overrides U+202A–U+202E, isolates U+2066–U+2069, and the
 * marks U+200E, U+200F, U+061C. They make text read in another order than it is ("Trojan Source").
 */
const BIDI_CONTROLS = '\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069';
const BIDI_CONTROL = new RegExp(`[${BIDI_CONTROLS}]`, 'g');
/**
 * What escapeMarkdown rewrites, in one pass: `#123`, `owner/repo#1` and `GH-123` (GitHub links and
 * notifies that issue; a zero-width space after `#` or `GH-` stops it), and single characters (see MARKDOWN_ESCAPES).
 */
const MARKDOWN_SPECIAL = new RegExp(`#(?=\\d)|\\bGH-(?=\\d)|[\\u0000-\\u001f\\u007f-\\u009f${BIDI_CONTROLS}&<>\\\\\`*_[\\]|~$@]`, 'gi');
const MARKDOWN_ESCAPES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '@': '@&#8203;',
  '\\': '&#92;',
  '`': '&#96;',
  '*': '&#42;',
  _: '&#95;',
  '[': '&#91;',
  ']': '&#93;',
  '|': '&#124;',
  '~': '&#126;',
  $: '&#36;',
};

/** A scanner-provided string made safe for a terminal: one line, no control characters (no ANSI injection). */
export function sanitizeText(value: string, maxChars = MAX_VALUE_CHARS): string {
  return truncateText(value.replace(/[\r\n\t\u2028\u2029]+/g, ' '), maxChars).replace(BIDI_CONTROL, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/**
 * A `code span`: for our own values (policy names, sources) and for values a reader copies
 * exactly (image references, digests). Nothing is inserted into it (GitHub neither links nor
 * mentions inside code); backticks become `'`, and control and bidirectional control characters are dropped.
 */
export function code(value: string): string {
  return `\`${value.replace(/`/g, "'").replace(/[\r\n]+/g, ' ').replace(BIDI_CONTROL, '').replace(/[\u0000-\u001f\u007f-\u009f]/g, '')}\``;
}

/** An image reference (`ghcr.io/acme/api@sha256:…`) as a code span, copy-paste exact up to `maxChars`. */
export function imageCode(ref: string, maxChars = 300): string {
  return code(truncateText(ref, maxChars));
}

/**
 * Sorting rank: the violation's severity; without one, its rule's `unratedSeverity` (malware and
 * secrets count as critical), else it ranks after `unknown`, in the order the engine gave.
 */
function rankOf(violation: Violation): number {
  const severity = violation.severity ?? RULES[violation.rule].unratedSeverity;
  return severity === undefined ? -2 : severityRank(severity);
}

/** Most severe first (severity, then CVSS); a stable sort, so equal ones keep the engine's order. */
export function sortViolations<T extends Violation>(violations: readonly T[]): T[] {
  return sortByViolation(violations, (violation) => violation);
}

/** `sortViolations` for items that carry a violation. */
export function sortByViolation<T>(items: readonly T[], violationOf: (item: T) => Violation): T[] {
  return items
    .map((item, index) => {
      const violation = violationOf(item);
      return { item, index, rank: rankOf(violation), cvss: violation.cvss ?? -1 };
    })
    .sort((a, b) => b.rank - a.rank || b.cvss - a.cvss || a.index - b.index)
    .map(({ item }) => item);
}

/** The names a Dockerfile goes by: `Dockerfile`, `Containerfile`, `Dockerfile.prod`, `Dockerfile-api`, `api.dockerfile`. */
const DOCKERFILE_NAME = /(^|\/)(Dockerfile|Containerfile)([.-][^/]*)?$|\.(dockerfile|containerfile)$/i;

/** Whether a path names a Dockerfile, so a finding there can be shown at that file of the repository. */
export function isDockerfilePath(path: string): boolean {
  return DOCKERFILE_NAME.test(path);
}

export function formatCvss(cvss: number | undefined): string {
  return cvss === undefined ? '' : cvss.toFixed(1);
}

export const STATUS_ICON: Readonly<Record<ImageVerdict['status'], string>> = {
  blocked: '🚫',
  warned: '⚠️',
  allowed: '✅',
};

/** `ghcr.io/acme/api:1.2.3@sha256:…` → `ghcr.io/acme/api`, the form exception `images` globs take. */
export function repositoryOf(image: string): string {
  const at = image.indexOf('@');
  const withoutDigest = at < 0 ? image : image.slice(0, at);
  const lastSlash = withoutDigest.lastIndexOf('/');
  const colon = withoutDigest.lastIndexOf(':');
  return colon > lastSlash ? withoutDigest.slice(0, colon) : withoutDigest;
}

/** The policies that block the image (`isBlocking`), in order. */
export function blockingPolicies(image: ImageVerdict): PolicyVerdict[] {
  return image.policies.filter(isBlocking);
}

/** Each policy name once, in order of appearance. */
export function blockingPolicyNames(images: readonly ImageVerdict[]): string[] {
  return [...new Set(images.flatMap((image) => blockingPolicies(image).map((policy) => policy.name)))];
}

export function expiredExceptions(policy: PolicyVerdict): ExceptionUse[] {
  return policy.exceptions.filter((exception) => exception.expired);
}

/** The headline of each problem kind, as the check title says it. */
export const PROBLEM_TITLE: Readonly<Record<ProblemKind, string>> = {
  policy: 'Policy file is invalid',
  report: 'A scan report could not be read',
  artifact: 'A scan artifact could not be read',
  'missing-scan': 'No image reports found',
  fork: 'Reports from a fork are not trusted',
  unscanned: 'An image was published without a scan',
  vex: 'A VEX document could not be read',
  internal: 'The evaluation did not finish',
};

/** `file:line:col` for a problem, or nothing when it names no file. */
export function problemPlace(problem: OutcomeProblem): string | undefined {
  if (problem.file === undefined) return undefined;
  if (problem.line === undefined) return problem.file;
  return `${problem.file}:${problem.line}${problem.col === undefined ? '' : `:${problem.col}`}`;
}

/** `a`, `a and b`, `a, b and c`. */
export function joinWords(words: readonly string[]): string {
  if (words.length <= 1) return words.join('');
  return `${words.slice(0, -1).join(', ')} and ${words.at(-1)!}`;
}

/** `YYYY-MM-DD` of `now + days`, in UTC. */
export function isoDatePlusDays(now: Date, days: number): string {
  return new Date(now.getTime() + days * 86_400_000).toISOString().slice(0, 10);
}

/** A markdown link to one of our URLs (check run, workflow run); anything but http(s) is shown as text. */
export function link(text: string, url: string): string {
  if (!/^https?:\/\//i.test(url)) return text;
  return `[${text}](${url.replace(/[\s()<>]/g, (char) => encodeURIComponent(char))})`;
}

/** Why a VEX statement suppresses: `not_affected: vulnerable_code_not_in_execute_path — the code isn't called` (plain text). */
export function vexReason(use: VexUse): string {
  const why = [use.justification, use.impact_statement].filter((part): part is string => part !== undefined);
  return why.length === 0 ? use.status : `${use.status}: ${why.join(' — ')}`;
}

/** `openvex.json statements[3]`: the VEX document and the statement in it (plain text). */
export function vexPlace(use: VexUse): string {
  return `${use.document} ${use.statement}`;
}

/** How each attribution class is named to people. */
export const ATTRIBUTION_LABEL: Readonly<Record<Attribution, string>> = {
  introduced: 'introduced',
  inherited: 'inherited',
  newly_disclosed: 'newly disclosed',
};

/** A violation's class; one stored before attribution existed counts as introduced. */
export function attributionOf(violation: Violation): Attribution {
  return violation.attribution ?? 'introduced';
}

/** Whether a verdict speaks of attribution: a baseline was asked for, or a policy blocks only introduced findings. */
export function hasAttribution(image: ImageVerdict): boolean {
  return image.baseline !== undefined || image.policies.some((policy) => policy.findings === 'introduced');
}

export interface AttributionCounts {
  /** Introduced findings that block the image (in a failed block policy's violations). */
  blocking: number;
  introduced: number;
  inherited: number;
  newly_disclosed: number;
}

/**
 * The image's findings per class, each (ID, package) once across its policies and rules: what
 * "2 introduced (blocking) · 14 inherited · 1 newly disclosed" counts. Suppressed findings are not counted.
 */
export function countAttributions(image: ImageVerdict): AttributionCounts {
  const seen: Record<Attribution, Set<string>> = { introduced: new Set(), inherited: new Set(), newly_disclosed: new Set() };
  const blocking = new Set<string>();
  for (const policy of image.policies) {
    for (const violation of [...policy.violations, ...(policy.warnings ?? [])]) {
      const key = `${violation.id}\u0000${violation.package ?? ''}`;
      seen[attributionOf(violation)].add(key);
    }
    if (isBlocking(policy)) {
      for (const violation of policy.violations) if (attributionOf(violation) === 'introduced') blocking.add(`${violation.id}\u0000${violation.package ?? ''}`);
    }
  }
  return { blocking: blocking.size, introduced: seen.introduced.size, inherited: seen.inherited.size, newly_disclosed: seen.newly_disclosed.size };
}

/** `2 introduced (blocking) · 14 inherited · 1 newly disclosed`. */
export function attributionSummary(counts: AttributionCounts): string {
  const introduced = counts.blocking > 0 ? `${counts.introduced} introduced (${counts.blocking === counts.introduced ? '' : `${counts.blocking} `}blocking)` : `${counts.introduced} introduced`;
  return [introduced, `${counts.inherited} inherited`, `${counts.newly_disclosed} newly disclosed`].join(' · ');
}

/** What the findings were compared with, in words: "the merge base 1a2b3c4", "no baseline (…)". */
export function baselineText(baseline: BaselineRef | undefined): string {
  const commit = baseline?.sha === undefined ? '' : ` ${baseline.sha.slice(0, 7)}`;
  switch (baseline?.source) {
    case 'merge-base':
      return `the scan of the merge base${commit}`;
    case 'default-branch':
      return `the latest default-branch scan${commit} (none stored for the merge base)`;
    case 'reports':
      return 'the --baseline reports';
    case 'none':
    case undefined:
      return 'no baseline (no default-branch scan of this image is stored): every finding counts as introduced';
  }
}
