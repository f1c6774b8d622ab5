import type { Preview, PreviewChange } from '../engine/preview.ts';
import type { Loosening } from '../policy/loosening.ts';
import { code, escapeMarkdown, sanitizeText } from './format.ts';
import { plural, truncateText } from './truncate.ts';

/**
 * A policy change's preview: per image, now → proposed and the rules that start or stop failing,
 * then the changes that loosen the gate. The same table for the `image-assurance/policy-preview`
 * check (markdown) and `image-assurance preview` (text, json).
 */

export interface PreviewReport {
  preview: Pick<Preview, 'changes' | 'unchanged'>;
  loosenings: readonly Loosening[];
  /** Images whose stored facts expired, so they could not be judged again (the app only). */
  notReplayed?: number;
}

/** The JSON of `image-assurance preview --format json`. */
export function renderPreviewJson(report: PreviewReport): object {
  const json: Record<string, unknown> = {
    changes: report.preview.changes.map((change) => ({
      image: change.image,
      ...(change.digest === undefined ? {} : { digest: change.digest }),
      before: change.before,
      after: change.after,
      rules_added: change.rules_added,
      rules_removed: change.rules_removed,
    })),
    unchanged: report.preview.unchanged,
    loosens: report.loosenings.map((loosening) => ({ kind: loosening.kind, ...(loosening.policy === undefined ? {} : { policy: loosening.policy }), message: loosening.message })),
  };
  if (report.notReplayed !== undefined) json.not_replayed = report.notReplayed;
  return json;
}

/** One line: "2 images would be blocked, 1 unblocked, 3 unchanged". */
export function previewTitle(report: PreviewReport): string {
  const { changes, unchanged } = report.preview;
  const newlyBlocked = changes.filter((change) => change.before === 'allowed' && change.after === 'blocked').length;
  const unblocked = changes.filter((change) => change.before === 'blocked' && change.after === 'allowed').length;
  const rulesOnly = changes.length - newlyBlocked - unblocked;
  const parts: string[] = [];
  if (newlyBlocked > 0) parts.push(`${plural(newlyBlocked, 'image')} would be blocked`);
  if (unblocked > 0) parts.push(`${plural(unblocked, 'image')} would be unblocked`);
  if (rulesOnly > 0) parts.push(`${plural(rulesOnly, 'image')} with other rule changes`);
  if (parts.length === 0) parts.push(changes.length + unchanged === 0 ? 'No image to replay' : 'No image changes');
  parts.push(`${unchanged} unchanged`);
  if (report.loosenings.length > 0) parts.push(`${plural(report.loosenings.length, 'change')} loosen the gate`);
  return parts.join(', ');
}

export function renderPreviewMarkdown(report: PreviewReport, options: { maxRows?: number } = {}): string {
  const maxRows = options.maxRows ?? 200;
  const lines = [`### Policy preview: ${escapeMarkdown(previewTitle(report), 300)}`, ''];
  if (report.loosenings.length > 0) {
    lines.push('**⚠️ Changes that loosen the gate** (review these):', '');
    for (const loosening of report.loosenings) lines.push(`- 🔓 ${escapeMarkdown(loosening.message, 500)}`);
    lines.push('');
  }
  const { changes } = report.preview;
  if (changes.length > 0) {
    lines.push('| Image | Now → proposed | Rules that start failing | Rules that stop failing |', '|---|---|---|---|');
    for (const change of changes.slice(0, maxRows)) {
      lines.push(`| ${escapeMarkdown(change.image, 200)} | ${stateText(change)} | ${ruleList(change.rules_added)} | ${ruleList(change.rules_removed)} |`);
    }
    if (changes.length > maxRows) lines.push('', `…and ${plural(changes.length - maxRows, 'more image')}.`);
    lines.push('');
  }
  lines.push(`${plural(report.preview.unchanged, 'image')} judged alike under both policies.`);
  if (report.notReplayed !== undefined && report.notReplayed > 0) {
    lines.push('', `${plural(report.notReplayed, 'image')} could not be replayed: the facts stored for them expired.`);
  }
  return `${lines.join('\n')}\n`;
}

export function renderPreviewText(report: PreviewReport): string {
  const lines = [`Policy preview: ${sanitizeText(previewTitle(report), 300)}`];
  for (const change of report.preview.changes) {
    lines.push(`  ${change.before.toUpperCase()} -> ${change.after.toUpperCase()}  ${sanitizeText(change.image, 300)}`);
    if (change.rules_added.length > 0) lines.push(`      + ${change.rules_added.map((rule) => sanitizeText(rule)).join(', ')}`);
    if (change.rules_removed.length > 0) lines.push(`      - ${change.rules_removed.map((rule) => sanitizeText(rule)).join(', ')}`);
  }
  for (const loosening of report.loosenings) lines.push(`  loosens: ${sanitizeText(loosening.message, 500)}`);
  return `${lines.join('\n')}\n`;
}

function stateText(change: PreviewChange): string {
  const icon = (state: PreviewChange['before']): string => (state === 'blocked' ? '🚫 blocked' : '✅ allowed');
  return change.before === change.after ? `${icon(change.before)} (rules change)` : `${icon(change.before)} → **${icon(change.after)}**`;
}

function ruleList(rules: readonly string[]): string {
  if (rules.length === 0) return '';
  return rules.map((rule) => code(truncateText(rule, 120))).join(', ');
}
