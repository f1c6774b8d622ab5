import type { FindingSeverity } from '../model/severity.ts';
import type { ImageVerdict, PolicyVerdict, Verdict, Violation } from '../model/verdict.ts';
import { verdictOutcome } from './conclusion.ts';
import { ATTRIBUTION_LABEL, attributionOf, attributionSummary, baselineText, countAttributions, formatCvss, hasAttribution, isVulnerabilityRule, sanitizeText, sortViolations, vexPlace, vexReason } from './format.ts';
import { titleOf } from './title.ts';

export interface TextOptions {
  /** ANSI colours; only when writing to a terminal that wants them. */
  color: boolean;
}

/** The widest a column's value gets in the terminal table. */
const MAX_CELL_CHARS = 60;

const ANSI = {
  reset: '\u001b[0m',
  bold: '\u001b[1m',
  dim: '\u001b[2m',
  red: '\u001b[31m',
  green: '\u001b[32m',
  yellow: '\u001b[33m',
} as const;
type Style = Exclude<keyof typeof ANSI, 'reset'>;

/**
 * The verdict for a terminal: per image its status and digest, per policy a table of violations
 * (rule, ID, package, installed → fixed, severity/CVSS), suppressed findings and expired exceptions,
 * then the result and the policy files applied. Scanner-provided strings lose control characters,
 * so a report cannot inject escape sequences. ANSI colour only when `options.color`.
 */
export function renderText(verdict: Verdict, options: TextOptions): string {
  const paint = (text: string, ...styles: Style[]): string =>
    options.color && styles.length > 0 && text !== '' ? `${styles.map((style) => ANSI[style]).join('')}${text}${ANSI.reset}` : text;
  const lines: string[] = [];
  for (const image of verdict.images) lines.push(...renderImage(image, paint), '');
  if (verdict.images.length === 0) lines.push('No images were judged: no report named an image.', '');
  const status = !verdict.allowed || verdict.images.some((image) => image.status === 'blocked') ? 'blocked' : verdict.images.some((image) => image.status === 'warned') ? 'warned' : 'allowed';
  const resultWord = verdict.images.length === 0 ? paint('NOTHING JUDGED', 'bold', 'yellow') : statusWord(status, paint);
  lines.push(`Result: ${resultWord} - ${sanitizeText(titleOf(verdictOutcome(verdict)), 300)}`);
  lines.push(`Policy files applied: ${verdict.sources.length === 0 ? 'none' : verdict.sources.map((source) => sanitizeText(source)).join(', ')}`);
  return `${lines.join('\n')}\n`;
}

type Paint = (text: string, ...styles: Style[]) => string;

function statusWord(status: ImageVerdict['status'], paint: Paint): string {
  if (status === 'blocked') return paint('BLOCKED', 'bold', 'red');
  if (status === 'warned') return paint('WARNED', 'bold', 'yellow');
  return paint('ALLOWED', 'bold', 'green');
}

function renderImage(image: ImageVerdict, paint: Paint): string[] {
  const status = image.status === 'blocked' || !image.allowed ? 'blocked' : image.status;
  const lines = [`${statusWord(status, paint)}  ${paint(sanitizeText(image.image, 300), 'bold')}`];
  if (image.digest !== undefined) lines.push(`  digest   ${sanitizeText(image.digest, 100)}`);
  for (const report of image.reports) lines.push(`  report   ${sanitizeText(report.tool, 40)} ${paint(sanitizeText(report.path, 200), 'dim')}`);
  if (image.unscoped) lines.push(`  no policy applies; settings.unscoped_images ${image.allowed ? 'allows' : 'blocks'} it`);
  const isAttributed = hasAttribution(image);
  if (isAttributed) lines.push(`  findings ${paint(attributionSummary(countAttributions(image)), 'bold')}, compared with ${baselineText(image.baseline)}`);
  for (const policy of image.policies) lines.push('', ...renderPolicy(policy, paint, isAttributed));
  for (const stale of image.stale_vex ?? []) {
    const age = stale.age_days === undefined ? 'undated' : `${stale.age_days} days old`;
    lines.push(paint(`  stale VEX ${sanitizeText(stale.vulnerability)} (${sanitizeText(vexPlace(stale), 300)}, ${age}) no longer suppresses: older than settings.vex_max_age_days`, 'yellow'));
  }
  return lines;
}

function renderPolicy(policy: PolicyVerdict, paint: Paint, isAttributed: boolean): string[] {
  const noun = policy.enforcement === 'warn' ? 'warning' : 'violation';
  const count = policy.violations.length;
  const counted = `${count} ${noun}${count === 1 ? '' : 's'}`;
  const state = policy.passed
    ? paint('PASS', 'green')
    : policy.enforcement === 'block'
      ? paint(`FAIL ${counted}`, 'red')
      : policy.enforcement === 'warn'
        ? paint(`WARN ${counted}`, 'yellow')
        : paint(`WOULD BLOCK ${counted}`, 'dim');
  const kind = policy.enforce_from !== undefined && policy.enforcement === 'shadow' ? `shadow, blocks from ${policy.enforce_from}` : policy.enforcement;
  const lines = [`  ${state}  policy ${sanitizeText(policy.name)} (${kind}, ${sanitizeText(policy.source)})`];
  if (policy.violations.length > 0) lines.push(...renderTable(sortViolations(policy.violations), paint, isAttributed));
  if ((policy.warnings?.length ?? 0) > 0) {
    lines.push(paint(`    ${policy.warnings!.length} inherited or newly disclosed (findings: introduced: they do not block)`, 'yellow'));
    lines.push(...renderTable(sortViolations(policy.warnings!), paint, true));
  }
  for (const finding of sortViolations(policy.suppressed)) {
    const what = `    suppressed ${sanitizeText(finding.id)}${finding.package === undefined ? '' : ` in ${sanitizeText(finding.package)}`} (${finding.rule})`;
    if (finding.vex !== undefined) {
      lines.push(paint(`${what} by VEX ${sanitizeText(vexPlace(finding.vex), 300)}: ${sanitizeText(vexReason(finding.vex), 300)}`, 'dim'));
      continue;
    }
    const exception = policy.exceptions.find((use) => use.id === finding.exception);
    const expiry = exception === undefined ? '' : `, expires ${sanitizeText(exception.expires, 20)}`;
    lines.push(paint(`${what} by exception ${sanitizeText(finding.exception ?? '')}${expiry}`, 'dim'));
  }
  for (const exception of policy.exceptions.filter((use) => use.expired)) {
    lines.push(
      paint(`    expired exception ${sanitizeText(exception.id)} (${sanitizeText(exception.source)}, expired ${sanitizeText(exception.expires, 20)}) no longer applies`, 'yellow'),
    );
  }
  return lines;
}

const HEADER = ['RULE', 'ID', 'PACKAGE', 'INSTALLED → FIXED', 'SEVERITY/CVSS', 'MESSAGE'] as const;
const ATTRIBUTED_HEADER = ['FINDING', ...HEADER] as const;

/** With `isAttributed`, a first column says whether the finding is introduced, inherited or newly disclosed. */
function renderTable(violations: readonly Violation[], paint: Paint, isAttributed = false): string[] {
  const header: readonly string[] = isAttributed ? ATTRIBUTED_HEADER : HEADER;
  const severityColumn = header.indexOf('SEVERITY/CVSS');
  const rows = violations.map((violation) => [
    ...(isAttributed ? [ATTRIBUTION_LABEL[attributionOf(violation)]] : []),
    violation.rule,
    sanitizeText(violation.id, MAX_CELL_CHARS),
    sanitizeText(violation.package ?? '', MAX_CELL_CHARS),
    installedFixed(violation),
    severityCvss(violation),
    isVulnerabilityRule(violation.rule) ? '' : sanitizeText(violation.message, 200),
  ]);
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]!.length)));
  const format = (cells: readonly string[], styleOf: (column: number) => Style[]): string =>
    `    ${cells
      .map((cell, column) => {
        const isLast = column === cells.length - 1;
        return paint(cell, ...styleOf(column)) + (isLast ? '' : ' '.repeat(widths[column]! - cell.length + 2));
      })
      .join('')}`.trimEnd();
  return [
    format(header, () => ['dim']),
    ...rows.map((row, index) => format(row, (column) => (column === severityColumn ? severityStyle(violations[index]!.severity) : []))),
  ];
}

function installedFixed(violation: Violation): string {
  const installed = sanitizeText(violation.version ?? '', MAX_CELL_CHARS / 2);
  const fixed = sanitizeText(violation.fixed_version ?? '', MAX_CELL_CHARS / 2);
  if (fixed === '') return installed;
  return `${installed} → ${fixed}`;
}

function severityCvss(violation: Violation): string {
  return [violation.severity ?? '', formatCvss(violation.cvss)].filter((part) => part !== '').join('/');
}

function severityStyle(severity: FindingSeverity | undefined): Style[] {
  if (severity === 'critical') return ['bold', 'red'];
  if (severity === 'high') return ['red'];
  if (severity === 'medium') return ['yellow'];
  return [];
}
