import { RULES } from '../engine/rules/index.ts';
import { isBlocking, isImageBlocked, shownStatusOf } from '../model/blocked.ts';
import type { Outcome, OutcomeProblem, PolicyHistorySummary } from '../model/outcome.ts';
import { ATTRIBUTIONS, type ExceptionUse, type ImageVerdict, type PolicyVerdict, type SuppressedFinding, type Verdict, type Violation } from '../model/verdict.ts';
import {
  ATTRIBUTION_LABEL,
  attributionOf,
  attributionSummary,
  baselineText,
  code,
  countAttributions,
  escapeMarkdown,
  expiredExceptions,
  hasAttribution,
  formatCvss,
  imageCode,
  link,
  PROBLEM_TITLE,
  problemPlace,
  sortViolations,
  STATUS_ICON,
  vexPlace,
  vexReason,
} from './format.ts';
import { titleOf } from './title.ts';
import { fitUnits, plural, truncateText, type LeftOut, type Unit } from './truncate.ts';

export interface MarkdownOptions {
  now: Date;
  checkRunUrl?: string;
  /** Cut the image details so the whole text stays within this many characters. */
  maxChars?: number;
}

/** Problems listed one by one; the rest are counted. */
export const MAX_PROBLEMS_LISTED = 50;
/** Notes listed one by one; the rest are counted. */
export const MAX_NOTES_LISTED = 20;
/** An exception expiring within this many days is flagged in the suppressed table. */
export const EXPIRES_SOON_DAYS = 14;

const DAY_MS = 86_400_000;

/**
 * The detailed markdown of an outcome: the check run summary and `--format markdown`.
 * Problems first, then per image its policies (violations most severe first, warnings, suppressed
 * findings and their exceptions, expired exceptions), then notes, the policy files applied and the
 * workflow runs. Every scanner-provided string is escaped. With `maxChars`, image details are cut at
 * a row boundary and a line says how much was left out; the head and the sources always stay.
 */
export function renderMarkdown(outcome: Outcome, options: MarkdownOptions): string {
  const head = renderHead(outcome);
  const maxChars = options.maxChars === undefined ? undefined : options.maxChars - head.length;
  if (maxChars !== undefined && maxChars < 0) return truncateText(head, options.maxChars!);
  return head + renderDetails(outcome, { ...options, ...(maxChars === undefined ? {} : { maxChars }) });
}

/**
 * The part of `renderMarkdown` after the headline and problems: the images, notes, policy files
 * applied and runs, within `maxChars` (the PR comment folds this part).
 */
export function renderDetails(outcome: Outcome, options: MarkdownOptions): string {
  const foot = renderFoot(outcome, options);
  const body = imageUnits(outcome.verdict, options.now, outcome.policyHistory ?? {});
  if (options.maxChars === undefined) return body.map((unit) => unit.text).join('') + foot;
  const budget = options.maxChars - foot.length;
  if (budget < 0) return truncateText(foot, options.maxChars);
  const fitted = fitUnits(body, budget, truncationNote);
  return truncateText(fitted.text + foot, options.maxChars);
}

function truncationNote(leftOut: LeftOut): string {
  const parts: string[] = [];
  if (leftOut.violations > 0) parts.push(plural(leftOut.violations, 'violation'));
  if (leftOut.suppressed > 0) parts.push(plural(leftOut.suppressed, 'suppressed finding'));
  if (leftOut.images > 0) parts.push(plural(leftOut.images, 'more image'));
  const partial = leftOut.partialImages > 0 ? ` (${plural(leftOut.partialImages, 'image')} shown in part)` : '';
  const what = parts.length > 0 ? parts.join(', ') : 'some details';
  return `\n> ✂️ **Truncated** to fit GitHub's size limit: ${what} not shown${partial}. \`image-assurance evaluate --format json\` prints the full verdict.\n\n`;
}

function renderHead(outcome: Outcome): string {
  const lines = [`### ${headIcon(outcome)} ${escapeMarkdown(titleOf(outcome), 300)}`, ''];
  if (outcome.problems.length > 0) lines.push(...renderProblems(outcome.problems), '');
  const attribution = renderAttribution(outcome.verdict.images);
  if (attribution.length > 0) lines.push(...attribution, '');
  if (outcome.verdict.images.length === 0 && outcome.problems.length === 0) {
    lines.push('No image was judged: no scan report named an image.', '');
  }
  return lines.map((line) => `${line}\n`).join('');
}

function headIcon(outcome: Outcome): string {
  if (outcome.problems.length > 0) return '❌';
  const { images } = outcome.verdict;
  if (images.some(isImageBlocked)) return STATUS_ICON.blocked;
  if (images.length === 0) return 'ℹ️';
  if (images.some((image) => image.status === 'warned')) return STATUS_ICON.warned;
  return STATUS_ICON.allowed;
}

/** Images listed one by one in the attribution lines; the rest are counted. */
export const MAX_ATTRIBUTION_LINES = 10;

/**
 * What leads the check and the comment when findings were attributed (issue 11): per image
 * "**2 introduced (blocking) · 14 inherited · 1 newly disclosed**, compared with …". Nothing when
 * no image was attributed.
 */
export function renderAttribution(images: readonly ImageVerdict[]): string[] {
  const attributed = images.filter(hasAttribution);
  const lines = attributed.slice(0, MAX_ATTRIBUTION_LINES).map((image) => {
    const name = attributed.length > 1 || images.length > 1 ? `${imageCode(image.image, 200)}: ` : '';
    return `${name}**${attributionSummary(countAttributions(image))}**, compared with ${baselineText(image.baseline)}.`;
  });
  if (attributed.length > MAX_ATTRIBUTION_LINES) lines.push(`…and ${plural(attributed.length - MAX_ATTRIBUTION_LINES, 'more image')}, in the details below.`);
  return lines.length > 1 ? lines.map((line) => `- ${line}`) : lines;
}

/** The problems as a list, most important first; shared with the PR comment. */
export function renderProblems(problems: readonly OutcomeProblem[]): string[] {
  const lines = ['**Problems** (each fails the check until it is fixed):', ''];
  for (const problem of problems.slice(0, MAX_PROBLEMS_LISTED)) {
    const place = problemPlace(problem);
    const where = place === undefined ? '' : ` in ${code(truncateText(place, 200))}`;
    lines.push(`- ❌ **${PROBLEM_TITLE[problem.kind]}**${where}: ${escapeMarkdown(problem.message, 500)}`);
  }
  if (problems.length > MAX_PROBLEMS_LISTED) lines.push(`- …and ${plural(problems.length - MAX_PROBLEMS_LISTED, 'more problem')}`);
  return lines;
}

function renderFoot(outcome: Outcome, options: MarkdownOptions): string {
  const { verdict } = outcome;
  const lines = ['', '---', ''];
  if (outcome.notes.length > 0) {
    lines.push('**Notes:**', '');
    for (const note of outcome.notes.slice(0, MAX_NOTES_LISTED)) lines.push(`- ${escapeMarkdown(note, 500)}`);
    if (outcome.notes.length > MAX_NOTES_LISTED) lines.push(`- …and ${plural(outcome.notes.length - MAX_NOTES_LISTED, 'more note')}`);
    lines.push('');
  }
  const sources = verdict.sources.length === 0 ? 'none' : verdict.sources.map((source) => code(truncateText(source, 200))).join(', ');
  lines.push(`**Policy files applied:** ${sources}`);
  const context: string[] = [`Evaluated at ${escapeMarkdown(verdict.evaluated_at, 40)}`];
  if (verdict.context.branch !== undefined) context.push(`branch ${code(truncateText(verdict.context.branch, 200))}`);
  if (verdict.context.environment !== undefined) context.push(`environment ${code(truncateText(verdict.context.environment, 200))}`);
  lines.push('', `${context.join(' · ')}.`);
  if (outcome.runs.length > 0) {
    const runs = outcome.runs.slice(0, 20).map((run) => link(`${escapeMarkdown(run.name, 100)} #${run.id}`, run.url));
    const more = outcome.runs.length > 20 ? ` and ${plural(outcome.runs.length - 20, 'more run')}` : '';
    lines.push('', `**Workflow runs:** ${runs.join(', ')}${more}`);
  }
  if (options.checkRunUrl !== undefined) lines.push('', link('View the check run', options.checkRunUrl));
  return lines.map((line) => `${line}\n`).join('');
}

function imageUnits(verdict: Verdict, now: Date, history: Readonly<Record<string, PolicyHistorySummary>>): Unit[] {
  return verdict.images.flatMap((image, index) => renderImage(image, index, now, history));
}

function renderImage(image: ImageVerdict, index: number, now: Date, history: Readonly<Record<string, PolicyHistorySummary>>): Unit[] {
  const unit = (text: string, extra: Omit<Unit, 'text' | 'image'> = {}): Unit => ({ text, image: index, ...extra });
  const status = shownStatusOf(image);
  const units: Unit[] = [unit(`#### ${STATUS_ICON[status]} ${imageCode(image.image)} — ${status}\n\n`)];
  const facts: string[] = [];
  if (image.digest !== undefined) facts.push(`Digest: ${code(truncateText(image.digest, 100))}`);
  if (image.reports.length > 0) {
    const reports = image.reports.slice(0, 10).map((report) => `${escapeMarkdown(report.tool, 50)} (${escapeMarkdown(report.path, 150)})`);
    const more = image.reports.length > 10 ? ` and ${plural(image.reports.length - 10, 'more')}` : '';
    facts.push(`Reports: ${reports.join(', ')}${more}`);
  }
  if (facts.length > 0) units.push(unit(`${facts.join('  \n')}\n\n`));
  if (image.unscoped) {
    units.push(unit(`No policy applies to this image; \`settings.unscoped_images\` ${isImageBlocked(image) ? 'blocks' : 'allows'} it.\n\n`));
  }
  const isAttributed = hasAttribution(image);
  for (const policy of orderPolicies(image.policies)) units.push(...renderPolicy(policy, unit, now, history[policy.name], isAttributed));
  const stale = image.stale_vex ?? [];
  for (const statement of stale) {
    const age = statement.age_days === undefined ? 'undated' : `${plural(statement.age_days, 'day')} old`;
    units.push(
      unit(
        `- 🕰️ **Stale VEX statement** for ${escapeMarkdown(statement.vulnerability, 100)} (${code(truncateText(vexPlace(statement), 200))}, ${age}) no longer suppresses: it is older than \`settings.vex_max_age_days\`; re-issue it or fix the finding.\n`,
      ),
    );
  }
  if (stale.length > 0) units.push(unit('\n'));
  return units;
}

/** Failed block policies first, then failed warn policies, then shadow policies that would block, then those that passed. */
function orderPolicies(policies: readonly PolicyVerdict[]): PolicyVerdict[] {
  const rank = (policy: PolicyVerdict): number => (policy.passed ? 3 : policy.enforcement === 'block' ? 0 : policy.enforcement === 'warn' ? 1 : 2);
  return policies.map((policy, index) => ({ policy, index })).sort((a, b) => rank(a.policy) - rank(b.policy) || a.index - b.index).map(({ policy }) => policy);
}

type MakeUnit = (text: string, extra?: Omit<Unit, 'text' | 'image'>) => Unit;

function renderPolicy(policy: PolicyVerdict, unit: MakeUnit, now: Date, history: PolicyHistorySummary | undefined, isAttributed: boolean): Unit[] {
  if (policy.enforcement === 'shadow' && !policy.passed) return renderShadowPolicy(policy, unit, now, history, isAttributed);
  const units: Unit[] = [];
  const kind = policy.enforcement === 'shadow' ? shadowKind(policy) : `${policy.enforcement} policy`;
  const count = policy.enforcement === 'block' ? plural(policy.violations.length, 'violation') : plural(policy.violations.length, 'warning');
  const icon = policy.passed ? '✅' : policy.enforcement === 'block' ? '❌' : '⚠️';
  const warnings = policy.warnings?.length ?? 0;
  const state = policy.passed ? (warnings > 0 ? `passed with ${plural(warnings, 'warning')}` : 'passed') : count;
  units.push(unit(`**${icon} ${code(policy.name)}** — ${kind}, ${state} · from ${code(truncateText(policy.source, 200))}\n\n`));
  if (policy.enforcement === 'shadow') units.push(...historyUnits(history, unit));
  units.push(...renderPolicyBody(policy, unit, now, isAttributed));
  return units;
}

/** "Would have blocked 3 of the last 12 commits judged here (30 days).", when the policy judged any. */
function historyUnits(history: PolicyHistorySummary | undefined, unit: MakeUnit): Unit[] {
  if (history === undefined || history.judged === 0) return [];
  return [unit(`Would have blocked ${history.failed} of the last ${plural(history.judged, 'commit')} judged here (${history.days} days).\n\n`)];
}

/** `shadow policy` or `block policy, blocks from 2027-01-01`: how a policy that does not block yet is named. */
function shadowKind(policy: PolicyVerdict): string {
  return policy.enforce_from === undefined ? 'shadow policy' : `block policy, blocks from ${escapeMarkdown(policy.enforce_from, 20)}`;
}

/**
 * A shadow policy (or a block policy before its `enforce_from` day) that would block: folded under
 * "would block", so it informs without competing with what blocks today.
 */
function renderShadowPolicy(policy: PolicyVerdict, unit: MakeUnit, now: Date, history: PolicyHistorySummary | undefined, isAttributed: boolean): Unit[] {
  const when = policy.enforce_from === undefined ? 'shadow policy, never blocks' : `blocks from ${escapeMarkdown(policy.enforce_from, 20)}`;
  const summary = `🕶️ ${policy.name} would block: ${plural(policy.violations.length, 'violation')} (${when})`;
  return [
    unit(`<details><summary>${summary}</summary>\n\n`, { opens: '\n</details>\n\n' }),
    unit(`**${code(policy.name)}** — ${shadowKind(policy)}, would block · from ${code(truncateText(policy.source, 200))}\n\n`),
    ...historyUnits(history, unit),
    ...renderPolicyBody(policy, unit, now, isAttributed),
    unit('\n</details>\n\n', { closes: true }),
  ];
}

function renderPolicyBody(policy: PolicyVerdict, unit: MakeUnit, now: Date, isAttributed: boolean): Unit[] {
  const units: Unit[] = [];
  if (policy.description !== undefined && !policy.passed) units.push(unit(`${escapeMarkdown(policy.description, 300)}\n\n`));

  if (isAttributed) units.push(...renderAttributedViolations(policy, unit));
  else if (policy.violations.length > 0) units.push(...renderViolations(policy.violations, unit));

  for (const exception of expiredExceptions(policy)) {
    units.push(
      unit(
        `- ⏰ **Expired exception** ${escapeMarkdown(exception.id, 100)} (from ${code(truncateText(exception.source, 200))}, expired ${escapeMarkdown(exception.expires, 20)}) no longer applies: fix the finding or renew the exception.\n`,
      ),
    );
  }
  if (expiredExceptions(policy).length > 0) units.push(unit('\n'));

  if (policy.suppressed.length > 0) {
    const byId = new Map(policy.exceptions.map((exception) => [exception.id, exception] as const));
    const hasVex = policy.suppressed.some((finding) => finding.vex !== undefined);
    const hasException = policy.suppressed.some((finding) => finding.vex === undefined);
    const by = hasVex ? (hasException ? 'exceptions and VEX statements' : 'VEX statements') : 'exceptions';
    units.push(
      unit(`<details><summary>${plural(policy.suppressed.length, 'finding')} suppressed by ${by}</summary>\n\n| ID | Package | Rule | Exception | Reason | Expires |\n|---|---|---|---|---|---|\n`, {
        opens: '\n</details>\n\n',
      }),
    );
    for (const finding of sortViolations(policy.suppressed)) {
      const exception = finding.exception === undefined ? undefined : byId.get(finding.exception);
      units.push(unit(suppressedRow(finding, exception, now), { counts: { suppressed: 1 } }));
    }
    units.push(unit('\n</details>\n\n', { closes: true }));
  }
  return units;
}

const VIOLATION_TABLE_HEAD = '| Severity | CVSS | ID | Package | Installed | Fixed in | Rule |\n|---|---|---|---|---|---|---|\n';

function renderViolations(violations: readonly Violation[], unit: MakeUnit): Unit[] {
  const units: Unit[] = [];
  const sorted = sortViolations(violations);
  units.push(unit(VIOLATION_TABLE_HEAD));
  for (const violation of sorted) units.push(unit(violationRow(violation), { counts: { violations: 1 } }));
  units.push(unit('\n'));
  const explained = sorted.filter((violation) => !RULES[violation.rule].isVulnerability);
  for (const violation of explained) units.push(unit(`- ${code(violation.rule)} ${escapeMarkdown(violation.id, 100)}: ${escapeMarkdown(violation.message, 300)}${locationText(violation)}\n`));
  if (explained.length > 0) units.push(unit('\n'));
  return units;
}

/**
 * The policy's findings in one folded group per class: introduced first (open: they are what the
 * change brought), then inherited and newly disclosed. Under `findings: introduced` the latter two
 * are the policy's warnings and say that they do not block.
 */
function renderAttributedViolations(policy: PolicyVerdict, unit: MakeUnit): Unit[] {
  const units: Unit[] = [];
  const all = [...policy.violations, ...(policy.warnings ?? [])];
  for (const attribution of ATTRIBUTIONS) {
    const group = all.filter((violation) => attributionOf(violation) === attribution);
    if (group.length === 0) continue;
    const isBlockingGroup = isBlocking(policy) && group.some((violation) => policy.violations.includes(violation));
    const note = isBlockingGroup ? ' (blocking)' : policy.findings === 'introduced' && attribution !== 'introduced' ? ' (warnings: `findings: introduced` lets them pass)' : '';
    const open = attribution === 'introduced' ? ' open' : '';
    units.push(unit(`<details${open}><summary><b>${group.length} ${ATTRIBUTION_LABEL[attribution]}</b>${note}</summary>\n\n`, { opens: '\n</details>\n\n' }));
    units.push(...renderViolations(group, unit));
    units.push(unit('</details>\n\n', { closes: true }));
  }
  return units;
}

function violationRow(violation: Violation): string {
  const cells = [
    violation.severity ?? '',
    formatCvss(violation.cvss),
    escapeMarkdown(violation.id, 100),
    escapeMarkdown(violation.package ?? '', 100),
    escapeMarkdown(violation.version ?? '', 60) + otherCopiesText(violation),
    escapeMarkdown(violation.fixed_version ?? '', 60),
    code(violation.rule),
  ];
  return `| ${cells.join(' | ')} |\n`;
}

/** ` (also 4.17.11, 4.17.15)`: the other copies of the package with the finding (their paths are in the JSON verdict). */
function otherCopiesText(violation: Violation): string {
  const copies = violation.other_copies ?? [];
  if (copies.length === 0) return '';
  const listed = [...new Set(copies.map((copy) => copy.version))];
  const shown = listed.slice(0, 3).map((version) => escapeMarkdown(version, 30));
  const more = listed.length - shown.length;
  return ` (also ${shown.join(', ')}${more > 0 ? ` and ${more} more` : ''})`;
}

/** A VEX statement shows as `VEX <document> <statement>`, its status and reasons, and no expiry (its age is checked instead). */
function suppressedRow(finding: SuppressedFinding, exception: ExceptionUse | undefined, now: Date): string {
  const cells = [
    escapeMarkdown(finding.id, 100),
    escapeMarkdown(finding.package ?? '', 100),
    code(finding.rule),
    finding.vex === undefined ? escapeMarkdown(finding.exception ?? '', 100) : `VEX ${code(truncateText(vexPlace(finding.vex), 200))}`,
    escapeMarkdown(finding.vex === undefined ? (exception?.reason ?? '') : vexReason(finding.vex), 200),
    exception === undefined ? '' : expiryText(exception.expires, now),
  ];
  return `| ${cells.join(' | ')} |\n`;
}

/** `2027-03-31`, flagged when it ends within EXPIRES_SOON_DAYS (an exception lasts to the end of its day, UTC). */
function expiryText(expires: string, now: Date): string {
  const end = Date.parse(`${expires}T23:59:59.999Z`);
  const text = escapeMarkdown(expires, 20);
  if (Number.isNaN(end)) return text;
  const days = Math.floor((end - now.getTime()) / DAY_MS);
  if (days < 0 || days >= EXPIRES_SOON_DAYS) return text;
  return `${text} ⏳ ${days === 0 ? 'today' : `in ${plural(days, 'day')}`}`;
}

function locationText(violation: Violation): string {
  if (violation.location === undefined) return '';
  const { path, line } = violation.location;
  return ` (${escapeMarkdown(line === undefined ? path : `${path}:${line}`, 200)})`;
}
