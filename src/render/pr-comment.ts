import { RULES } from '../engine/rules/index.ts';
import { isImageBlocked } from '../model/blocked.ts';
import type { Outcome } from '../model/outcome.ts';
import { RULE_KEYS, type ImageVerdict, type PolicyVerdict, type Violation } from '../model/verdict.ts';
import {
  code,
  escapeMarkdown,
  blockingPolicies,
  formatCvss,
  imageCode,
  isoDatePlusDays,
  joinWords,
  link,
  repositoryOf,
  sortByViolation,
  STATUS_ICON,
} from './format.ts';
import { renderAttribution, renderDetails, renderProblems } from './markdown.ts';
import { plural, truncateText } from './truncate.ts';

/** The hidden marker that finds our one sticky comment on a pull request. */
export const COMMENT_MARKER = '<!-- image-assurance:sticky-comment -->';

/**
 * An issue comment's body limit: GitHub answers 422 "Body is too long (maximum is 65536
 * characters)" beyond it. https://docs.github.com/en/rest/issues/comments#create-an-issue-comment
 */
export const COMMENT_MAX_CHARS = 65_536;

/** Violations shown with their fix per blocked image at the top; the rest are folded. */
export const TOP_VIOLATIONS_PER_IMAGE = 3;
/** Blocked images listed at the top; the rest are folded. */
export const TOP_IMAGES = 10;
/** The suggested exception lasts this long. */
export const EXCEPTION_DAYS = 30;

export const DEFAULT_POLICY_FILE = '.github/image-assurance.yml';

export interface PrCommentOptions {
  now: Date;
  checkRunUrl?: string;
  /** The repository's policy file, where the exception snippet goes. */
  policyFile?: string;
  /** Set when this pull request's comment last reported a failure: a green run then says so. */
  wasFailing?: boolean;
}

/**
 * The sticky PR comment: the marker, one line that says the outcome, the problems, each blocked
 * image with its worst violations and their one-line fixes, the details folded, a ready-to-paste
 * exception for the top violation, and a link to the check run. A green run says so instead of
 * vanishing. Never longer than GitHub's comment limit: the folded details are cut first.
 */
export function renderPrComment(outcome: Outcome, options: PrCommentOptions): string {
  const blocked = outcome.verdict.images.filter(isImageBlocked).map((image) => ({ image, violations: blockingViolations(image) }));
  const top = renderTop(outcome, blocked, options);
  const snippet = renderSnippet(blocked, options);
  const tail = options.checkRunUrl === undefined ? '' : `\n${link('View the check run', options.checkRunUrl)}\n`;
  const detailsOpen = '\n<details><summary>Details: every image, policy and finding</summary>\n\n';
  const detailsClose = '\n</details>\n';
  const budget = COMMENT_MAX_CHARS - top.length - snippet.length - tail.length - detailsOpen.length - detailsClose.length;
  if (budget < 0) return truncateText(top + tail, COMMENT_MAX_CHARS);
  const details = renderDetails(outcome, { now: options.now, maxChars: budget });
  return top + detailsOpen + details + detailsClose + snippet + tail;
}

type BlockedImage = { image: ImageVerdict; violations: Blocking[] };

function renderTop(outcome: Outcome, blocked: readonly BlockedImage[], options: PrCommentOptions): string {
  const { images } = outcome.verdict;
  const warned = images.filter((image) => !isImageBlocked(image) && image.status === 'warned');
  const lines = [COMMENT_MARKER, `### ${headline(outcome, options)}`, ''];
  const attribution = renderAttribution(images);
  if (attribution.length > 0) lines.push(...attribution, '');
  if (outcome.problems.length > 0) lines.push(...renderProblems(outcome.problems), '');
  for (const { image, violations } of blocked.slice(0, TOP_IMAGES)) lines.push(...renderBlockedImage(image, violations), '');
  if (blocked.length > TOP_IMAGES) lines.push(`…and ${plural(blocked.length - TOP_IMAGES, 'more blocked image')}, in the details below.`, '');
  for (const image of warned.slice(0, TOP_IMAGES)) {
    const warning = warningPolicies(image);
    const names = warning.map((policy) => code(policy.name));
    const count = warning.reduce((sum, policy) => sum + (policy.passed ? 0 : policy.violations.length) + (policy.warnings?.length ?? 0), 0);
    lines.push(`${STATUS_ICON.warned} **${imageCode(image.image)}** is allowed with ${plural(count, 'warning')} from ${joinWords(names)}.`);
  }
  if (warned.length > TOP_IMAGES) lines.push(`…and ${plural(warned.length - TOP_IMAGES, 'more image')} with warnings.`);
  if (warned.length > 0) lines.push('');
  return lines.map((line) => `${line}\n`).join('');
}

/** Failed warn policies, and policies whose inherited or newly disclosed findings are warnings (`findings: introduced`). */
function warningPolicies(image: ImageVerdict): PolicyVerdict[] {
  return image.policies.filter((policy) => (!policy.passed && policy.enforcement === 'warn') || (policy.warnings?.length ?? 0) > 0);
}

function headline(outcome: Outcome, options: PrCommentOptions): string {
  const { images } = outcome.verdict;
  const blocked = images.filter(isImageBlocked);
  if (blocked.length > 0) {
    const names = blocked.slice(0, 3).map((image) => imageCode(image.image, 200));
    const more = blocked.length > 3 ? ` and ${blocked.length - 3} more` : '';
    return `${STATUS_ICON.blocked} ${plural(blocked.length, 'image')} blocked: ${names.join(', ')}${more}`;
  }
  if (outcome.problems.length > 0) return '❌ Image assurance could not judge every image: the check fails until the problems below are fixed';
  if (images.length === 0) return 'ℹ️ No image was judged for this commit: no scan report named one';
  const previously = options.wasFailing === true ? ' (previously blocked)' : '';
  const count = images.length === 1 ? 'The image passes' : `All ${images.length} images pass`;
  if (images.some((image) => image.status === 'warned')) return `${STATUS_ICON.allowed} ${count} the image assurance policies, with warnings${previously}`;
  return `${STATUS_ICON.allowed} ${count} the image assurance policies${previously}`;
}

interface Blocking {
  /** The finding's most severe violation. */
  violation: Violation;
  policy: PolicyVerdict;
  /** Every rule the finding breaks, each once, in the SPEC's order of rule keys. */
  rules: Violation['rule'][];
  /** Every block policy it breaks, each once. */
  policies: PolicyVerdict[];
}

/**
 * The findings that block the image, most severe first, each once: a CVE that breaks `severity`
 * and `fixable_severity` in two policies is one line with both rules, not four lines.
 */
function blockingViolations(image: ImageVerdict): Blocking[] {
  const pairs = blockingPolicies(image).flatMap((policy) => policy.violations.map((violation) => ({ violation, policy })));
  const byFinding = new Map<string, Blocking>();
  for (const { violation, policy } of sortByViolation(pairs, (pair) => pair.violation)) {
    const key = `${RULES[violation.rule].findingId === 'own' ? violation.rule : ''}\u0000${violation.id}\u0000${violation.package ?? ''}`;
    const found = byFinding.get(key);
    if (found === undefined) {
      byFinding.set(key, { violation, policy, rules: [violation.rule], policies: [policy] });
      continue;
    }
    if (!found.rules.includes(violation.rule)) found.rules.push(violation.rule);
    if (!found.policies.includes(policy)) found.policies.push(policy);
  }
  const findings = [...byFinding.values()];
  for (const finding of findings) finding.rules.sort((a, b) => RULE_KEYS.indexOf(a) - RULE_KEYS.indexOf(b));
  return findings;
}

/** The worst finding of each rule first (so that a root user is not hidden behind 40 CVEs), then the next worst. */
function topViolations(all: readonly Blocking[]): Blocking[] {
  const picked = new Set<number>();
  const rules = new Set<string>();
  all.forEach((finding, index) => {
    if (picked.size < TOP_VIOLATIONS_PER_IMAGE && !finding.rules.some((rule) => rules.has(rule))) {
      for (const rule of finding.rules) rules.add(rule);
      picked.add(index);
    }
  });
  for (let index = 0; index < all.length && picked.size < TOP_VIOLATIONS_PER_IMAGE; index += 1) picked.add(index);
  return all.filter((_, index) => picked.has(index));
}

function renderBlockedImage(image: ImageVerdict, all: readonly Blocking[]): string[] {
  const policies = blockingPolicies(image).map((policy) => code(policy.name));
  const name = `**${imageCode(image.image)}**`;
  if (image.unscoped || policies.length === 0) {
    const why = image.unscoped ? 'no policy scopes it and `settings.unscoped_images` is `block`' : 'see the details below';
    return [`${name} is blocked: ${why}.`];
  }
  const lines = [`${name} is blocked by ${joinWords(policies)}:`, ''];
  for (const finding of topViolations(all)) lines.push(`- ${violationLine(finding)}`);
  if (all.length > TOP_VIOLATIONS_PER_IMAGE) lines.push(`- …and ${plural(all.length - TOP_VIOLATIONS_PER_IMAGE, 'more finding')}, in the details below.`);
  return lines;
}

function violationLine({ violation, rules }: Blocking): string {
  const what = [escapeMarkdown(violation.id, 100)];
  if (violation.package !== undefined) what.push(`in ${escapeMarkdown(violation.package, 100)}${violation.version === undefined ? '' : ` ${escapeMarkdown(violation.version, 60)}`}`);
  const facts = [rules.map(code).join(', '), violation.severity ?? '', violation.cvss === undefined ? '' : `CVSS ${formatCvss(violation.cvss)}`].filter((fact) => fact !== '');
  return `**${what[0]}**${what.length > 1 ? ` ${what[1]}` : ''} (${facts.join('; ')}) → ${escapeMarkdown(RULES[violation.rule].fix(violation), 300)}`;
}

function renderSnippet(blocked: readonly BlockedImage[], options: PrCommentOptions): string {
  let candidate: (Blocking & { image: ImageVerdict }) | undefined;
  for (const { image, violations } of blocked) {
    const pair = violations.find(({ violation }) => RULES[violation.rule].suggestsException);
    if (pair !== undefined) {
      candidate = { ...pair, image };
      break;
    }
  }
  if (candidate === undefined) return '';
  const { violation, policy, image } = candidate;
  // One exception for every policy of the same file that the finding breaks.
  const waivable = candidate.policies.filter((other) => other.source.startsWith('org:') === policy.source.startsWith('org:'));
  const policyFile = options.policyFile ?? DEFAULT_POLICY_FILE;
  const yaml = [
    'exceptions:',
    `  - id: ${yamlString(violation.id)}`,
    `    policies: [${waivable.map((other) => yamlString(other.name)).join(', ')}]`,
    `    images: [${yamlString(repositoryOf(image.image))}]`,
    ...(violation.package === undefined ? [] : [`    package: ${yamlString(violation.package)}`]),
    `    reason: ${yamlString('<why this is acceptable>')}`,
    `    expires: ${isoDatePlusDays(options.now, EXCEPTION_DAYS)}`,
  ];
  const where = policy.source.startsWith('org:')
    ? `The policy ${code(policy.name)} comes from the organization (${code(truncateText(policy.source, 200))}): a repository cannot loosen it, so ask its owners to add this exception there.`
    : `Add this to ${code(truncateText(policyFile, 200))} on the base branch: the policy is always read from the base branch, so the exception applies once it is merged there. It lapses on its expiry date.`;
  return [
    '',
    `<details><summary>Accept the risk instead: an exception for ${escapeMarkdown(violation.id, 100)}</summary>`,
    '',
    where,
    '',
    '```yaml',
    ...yaml,
    '```',
    '',
    '</details>',
    '',
  ]
    .map((line) => `${line}\n`)
    .join('');
}

/** A YAML double-quoted scalar (JSON escapes are valid YAML ones); backticks escaped so a fence cannot close early. */
/** A double-quoted YAML string (JSON is one); backticks and bidirectional controls are written as escapes, so the fence stays whole and shows what the text really is. */
function yamlString(value: string): string {
  return JSON.stringify(truncateText(value, 200)).replace(/[`\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g, (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
