import { RULES } from '../engine/rules/index.ts';
import { isImageBlocked, isVerdictBlocked, shownStatusOf } from '../model/blocked.ts';
import type { FindingSeverity } from '../model/severity.ts';
import type { ImageVerdict, PolicyVerdict, Verdict, Violation } from '../model/verdict.ts';
import { verdictOutcome } from './conclusion.ts';
import { expiredExceptionsOf, imageFindings, severityTotals, suppressedFindings, TOTAL_ORDER, type ImageFinding, type SuppressedFinding } from './findings.ts';
import { ATTRIBUTION_LABEL, attributionOf, attributionSummary, baselineText, countAttributions, formatCvss, hasAttribution, sanitizeText, vexPlace, vexReason } from './format.ts';
import { fitsUnsqueezed, painter, renderTable, wrapLine, type Column, type Paint, type Style } from './text-layout.ts';
import { titleOf } from './title.ts';
import { plural } from './truncate.ts';

export interface TextOptions {
  /** ANSI colour; only when writing to a terminal that wants it. */
  color: boolean;
  /** No line is wider than this (a terminal's columns): cells wrap and columns give way. Without it, the full text. */
  width?: number;
  /** At most this many findings (and suppressed findings) per image, then "… and N more"; 0 or none for all. */
  limit?: number;
}

/** The widest a scanner-provided value gets in a table cell. */
const MAX_CELL_CHARS = 60;
/** The widest a message gets. */
const MAX_MESSAGE_CHARS = 300;

/**
 * The verdict for a terminal. Per image: its status, digest and reports; one line per policy;
 * totals by severity (as trivy's `Total: 25 (CRITICAL: 25)`); then one row per finding with every
 * policy and rule it violates, most severe first, where a language package is, and the message of
 * findings that are not vulnerabilities; suppressed findings and expired exceptions. Then the
 * result and the policy files applied. Scanner-provided strings lose control characters, so a
 * report cannot inject escape sequences.
 */
export function renderText(verdict: Verdict, options: TextOptions): string {
  const paint = painter(options.color);
  const width = options.width;
  const lines: string[] = [];
  for (const image of verdict.images) lines.push(...renderImage(image, paint, options), '');
  if (verdict.images.length === 0) lines.push('No images were judged: no report named an image.', '');
  const status = isVerdictBlocked(verdict) ? 'blocked' : verdict.images.some((image) => image.status === 'warned') ? 'warned' : 'allowed';
  const resultWord = verdict.images.length === 0 ? paint('NOTHING JUDGED', 'bold', 'yellow') : statusWord(status, paint);
  lines.push(...wrapLine(`Result: ${resultWord} - ${sanitizeText(titleOf(verdictOutcome(verdict)), MAX_MESSAGE_CHARS)}`, width, 2));
  const sources = verdict.sources.length === 0 ? 'none' : verdict.sources.map((source) => sanitizeText(source)).join(', ');
  lines.push(...wrapLine(`Policy files applied: ${sources}`, width, 2));
  return `${lines.join('\n')}\n`;
}

function statusWord(status: ImageVerdict['status'], paint: Paint): string {
  if (status === 'blocked') return paint('BLOCKED', 'bold', 'red');
  if (status === 'warned') return paint('WARNED', 'bold', 'yellow');
  return paint('ALLOWED', 'bold', 'green');
}

function renderImage(image: ImageVerdict, paint: Paint, options: TextOptions): string[] {
  const width = options.width;
  const status = shownStatusOf(image);
  const lines = wrapLine(`${statusWord(status, paint)}  ${paint(sanitizeText(image.image, 300), 'bold')}`, width, 9);
  if (image.digest !== undefined) lines.push(...wrapLine(`  digest   ${sanitizeText(image.digest, 100)}`, width, 11));
  for (const report of image.reports) lines.push(...wrapLine(`  report   ${sanitizeText(report.tool, 40)} ${paint(sanitizeText(report.path, 200), 'dim')}`, width, 11));
  if (image.unscoped) lines.push(...wrapLine(`  no policy applies; settings.unscoped_images ${isImageBlocked(image) ? 'blocks' : 'allows'} it`, width, 4));
  const isAttributed = hasAttribution(image);
  if (isAttributed) lines.push(...wrapLine(`  findings ${paint(attributionSummary(countAttributions(image)), 'bold')}, compared with ${baselineText(image.baseline)}`, width, 11));
  if (image.policies.length > 0) lines.push('', ...renderPolicies(image.policies, paint, width));

  const findings = imageFindings(image);
  const suppressed = suppressedFindings(image);
  if (findings.length > 0 || suppressed.length > 0) lines.push('', ...wrapLine(`  ${totalsLine(findings, suppressed.length, paint)}`, width, 4));
  const limit = options.limit === undefined || options.limit === 0 ? Number.POSITIVE_INFINITY : options.limit;
  if (findings.length > 0) {
    lines.push('', ...renderFindings(findings.slice(0, limit), paint, width, isAttributed));
    if (findings.length > limit) lines.push(`  … and ${(findings.length - limit).toLocaleString('en-US')} more (--format json for all)`);
  }
  if (suppressed.length > 0) {
    lines.push('');
    for (const finding of suppressed.slice(0, limit)) lines.push(...wrapLine(paint(suppressedLine(finding), 'dim'), width, 4));
    if (suppressed.length > limit) lines.push(`  … and ${(suppressed.length - limit).toLocaleString('en-US')} more suppressed (--format json for all)`);
  }
  for (const exception of expiredExceptionsOf(image)) {
    const line = `  expired exception ${sanitizeText(exception.id)} (${sanitizeText(exception.source)}, expired ${sanitizeText(exception.expires, 20)}) no longer applies`;
    lines.push(...wrapLine(paint(line, 'yellow'), width, 4));
  }
  for (const stale of image.stale_vex ?? []) {
    const age = stale.age_days === undefined ? 'undated' : `${stale.age_days} days old`;
    const line = `  stale VEX ${sanitizeText(stale.vulnerability)} (${sanitizeText(vexPlace(stale), 300)}, ${age}) no longer suppresses: older than settings.vex_max_age_days`;
    lines.push(...wrapLine(paint(line, 'yellow'), width, 4));
  }
  return lines;
}

// A painted cell wraps at words: cli-table3 cuts anywhere without regard to ANSI codes.
const POLICY_COLUMNS: readonly Column[] = [
  { min: 4, wrap: 'words' },
  { min: 10, wrap: 'anywhere' },
  { min: 10, wrap: 'words' },
  { min: 8, wrap: 'words' },
];

/**
 * `FAIL  production-readiness  block, .github/image-assurance.yml  3 violations`, one row per policy;
 * a shadow policy (or a block policy before its `enforce_from` day) says `WOULD BLOCK`.
 */
function renderPolicies(policies: readonly PolicyVerdict[], paint: Paint, width: number | undefined): string[] {
  const rows = policies.map((policy) => {
    const count = policy.violations.length;
    const state = policy.passed ? paint('PASS', 'green') : policy.enforcement === 'block' ? paint('FAIL', 'red') : policy.enforcement === 'warn' ? paint('WARN', 'yellow') : paint('WOULD BLOCK', 'dim');
    const noun = policy.enforcement === 'warn' ? 'warning' : 'violation';
    const kind = policy.enforcement === 'shadow' && policy.enforce_from !== undefined ? `shadow, blocks from ${sanitizeText(policy.enforce_from, 20)}` : policy.enforcement;
    const warnings = policy.warnings?.length ?? 0;
    const counts = [policy.passed ? '' : plural(count, noun), warnings === 0 ? '' : `${warnings.toLocaleString('en-US')} inherited or newly disclosed (findings: introduced: they do not block)`];
    return { cells: [state, sanitizeText(policy.name), `${kind}, ${sanitizeText(policy.source)}`, counts.filter((part) => part !== '').join(', ')] };
  });
  return renderTable(rows, POLICY_COLUMNS, { indent: 2, width });
}

/** `Total: 4 (CRITICAL: 1, HIGH: 1, OTHER: 2), 1 suppressed`. */
function totalsLine(findings: readonly ImageFinding[], suppressed: number, paint: Paint): string {
  const totals = severityTotals(findings);
  const parts = TOTAL_ORDER.filter((severity) => totals.has(severity)).map((severity) => {
    const word = severity === 'none' ? 'OTHER' : severity.toUpperCase();
    return `${paint(word, ...severityStyle(severity === 'none' ? undefined : severity))}: ${totals.get(severity)!}`;
  });
  const total = `Total: ${findings.length.toLocaleString('en-US')}${parts.length === 0 ? '' : ` (${parts.join(', ')})`}`;
  return suppressed === 0 ? total : `${total}, ${suppressed.toLocaleString('en-US')} suppressed`;
}

const HEADER = ['SEVERITY', 'ID', 'PACKAGE', 'INSTALLED → FIXED', 'POLICIES (RULES)'] as const;
/** With a baseline: whether the change introduced the finding, inherited it, or the scanner newly disclosed it. */
const ATTRIBUTION_COLUMN: Column = { min: 9, wrap: 'words' };
const FINDING_COLUMNS: readonly Column[] = [
  { min: 8, wrap: 'words' },
  { min: 14, wrap: 'anywhere' },
  { min: 16, wrap: 'anywhere' },
  { min: 12, wrap: 'words' },
  { min: 24, wrap: 'words' },
];

/**
 * One row per finding: severity and CVSS, ID, package, installed → fixed, and every policy and rule
 * it violates (first, with a baseline, whether the change introduced it); the message of a finding
 * that is not a vulnerability goes under it. When the table would not fit the terminal, the
 * policies go under the row too ("violates …"), across the full width.
 */
function renderFindings(findings: readonly ImageFinding[], paint: Paint, width: number | undefined, isAttributed: boolean): string[] {
  const rows = findings.map((finding) => {
    const { violation } = finding;
    const severity = [violation.severity ?? '', formatCvss(violation.cvss)].filter((part) => part !== '').join(' ');
    const cells = [paint(severity, ...severityStyle(violation.severity)), sanitizeText(violation.id, MAX_CELL_CHARS), packageOf(violation), installedFixed(violation.version, violation.fixed_version)];
    return { cells: isAttributed ? [ATTRIBUTION_LABEL[attributionOf(violation)], ...cells] : cells, policies: policiesOf(finding), detail: paint(detailOf(finding), 'dim') };
  });
  const columns = isAttributed ? [ATTRIBUTION_COLUMN, ...FINDING_COLUMNS] : FINDING_COLUMNS;
  const header = (isAttributed ? ['FINDING', ...HEADER] : [...HEADER]).map((title) => paint(title, 'dim'));
  const wide = [{ cells: header }, ...rows.map((row) => ({ cells: [...row.cells, row.policies], details: [row.detail] }))];
  if (fitsUnsqueezed(wide, columns.length, { indent: 2, width })) return renderTable(wide, columns, { indent: 2, width });
  const narrow = [{ cells: header.slice(0, -1) }, ...rows.map((row) => ({ cells: row.cells, details: [`violates ${row.policies}`, row.detail] }))];
  return renderTable(narrow, columns.slice(0, -1), { indent: 2, width });
}

/** `baseline: fixable_severity; production-readiness: severity, fixable_severity; hygiene (warn): max_cvss`. */
function policiesOf(finding: ImageFinding): string {
  return finding.policies
    .map(({ policy, rules, isWarning }) => {
      const how = isWarning ? ' (does not block)' : policy.enforcement === 'block' ? '' : ` (${policy.enforcement})`;
      return `${sanitizeText(policy.name)}${how}: ${rules.join(', ')}`;
    })
    .join('; ');
}

/**
 * A vulnerable package with where it is when the report says (a language package's file, Trivy's
 * PkgPath or Target), so that three copies of lodash can be told apart: `lodash (app/node_modules/lodash/package.json)`;
 * the other copies with the same finding are counted: `lodash (app/node_modules/x/node_modules/lodash/package.json; +2 more copies)`.
 */
function packageOf(violation: Violation): string {
  const name = sanitizeText(violation.package ?? '', MAX_CELL_CHARS);
  if (!RULES[violation.rule].isVulnerability) return name;
  const copies = violation.other_copies?.length ?? 0;
  const more = copies === 0 ? undefined : `+${copies} more ${copies === 1 ? 'copy' : 'copies'}`;
  const where = violation.location === undefined ? undefined : sanitizeText(violation.location.path, MAX_MESSAGE_CHARS);
  const said = [where, more].filter((part) => part !== undefined);
  return said.length === 0 ? name : `${name} (${said.join('; ')})`;
}

/** Under a finding that is not a vulnerability (root user, a failed check, a secret): its message, and where it is. */
function detailOf(finding: ImageFinding): string {
  const { violation } = finding;
  if (RULES[violation.rule].isVulnerability) return '';
  const message = sanitizeText(violation.message, MAX_MESSAGE_CHARS);
  if (violation.location === undefined || violation.message.includes(violation.location.path)) return message;
  const line = violation.location.line === undefined ? '' : `:${violation.location.line}`;
  return `${message} (at ${sanitizeText(violation.location.path, MAX_MESSAGE_CHARS)}${line})`;
}

function installedFixed(version: string | undefined, fixed: string | undefined): string {
  const installed = sanitizeText(version ?? '', MAX_CELL_CHARS / 2);
  if (fixed === undefined || fixed === '') return installed;
  return `${installed} → ${sanitizeText(fixed, MAX_CELL_CHARS / 2)}`;
}

/**
 * `suppressed CVE-2023-44487 in nghttp2-libs 1.51.0-r0 by exception CVE-2023-44487 (expires 2026-12-01): production-readiness`,
 * or `… by VEX vex/api.openvex.json statements[0] (not_affected: …): production-readiness`.
 */
function suppressedLine(finding: SuppressedFinding): string {
  const { violation } = finding;
  const what = violation.package === undefined ? sanitizeText(violation.id) : `${sanitizeText(violation.id)} in ${sanitizeText(violation.package)}${violation.version ? ` ${sanitizeText(violation.version, 40)}` : ''}`;
  const policies = finding.policies.map((policy) => sanitizeText(policy.name)).join(', ');
  if (violation.vex !== undefined) return `  suppressed ${what} by VEX ${sanitizeText(vexPlace(violation.vex), 300)} (${sanitizeText(vexReason(violation.vex), 300)}): ${policies}`;
  const expiry = finding.expires === undefined ? '' : ` (expires ${sanitizeText(finding.expires, 20)})`;
  return `  suppressed ${what} by exception ${sanitizeText(violation.exception ?? '')}${expiry}: ${policies}`;
}

function severityStyle(severity: FindingSeverity | undefined): Style[] {
  if (severity === 'critical') return ['bold', 'red'];
  if (severity === 'high') return ['red'];
  if (severity === 'medium') return ['yellow'];
  return [];
}
