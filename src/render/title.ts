import { isImageBlocked } from '../model/blocked.ts';
import type { Outcome } from '../model/outcome.ts';
import { blockingPolicyNames, joinWords, PROBLEM_TITLE } from './format.ts';
import { plural, truncateText } from './truncate.ts';

/** The longest check title we write; GitHub shows it on one line. */
export const MAX_TITLE_CHARS = 200;

/** How many policy names a title lists before it says "N policies". */
const MAX_NAMED_POLICIES = 3;

/**
 * The outcome in one line: "2 images blocked by production-readiness", "1 image allowed",
 * "Policy file is invalid", "No image reports found". Problems come first: they fail the check.
 */
export function titleOf(outcome: Outcome): string {
  const { images } = outcome.verdict;
  const blocked = images.filter(isImageBlocked);
  const parts: string[] = [];
  if (outcome.problems.length > 0) {
    const kinds = [...new Set(outcome.problems.map((problem) => problem.kind))];
    const first = PROBLEM_TITLE[kinds[0]!];
    const more = outcome.problems.length - 1;
    parts.push(more > 0 ? `${first} (+${plural(more, 'more problem')})` : first);
  }
  if (blocked.length > 0) {
    const names = blockingPolicyNames(blocked);
    const by = names.length === 0 ? '' : names.length > MAX_NAMED_POLICIES ? ` by ${names.length} policies` : ` by ${joinWords(names)}`;
    parts.push(`${plural(blocked.length, 'image')} blocked${by}`);
  }
  if (parts.length === 0) {
    const warned = images.filter((image) => image.status === 'warned').length;
    if (images.length === 0) parts.push('No image reports found');
    else if (warned > 0) parts.push(`${plural(images.length, 'image')} allowed, ${warned} with warnings`);
    else parts.push(`${plural(images.length, 'image')} allowed`);
  }
  return truncateText(parts.join('; '), MAX_TITLE_CHARS);
}
