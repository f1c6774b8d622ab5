import { isImageBlocked } from '../model/blocked.ts';
import type { Bundle } from '../model/bundle.ts';
import type { ImageVerdict, RuleKey, Verdict } from '../model/verdict.ts';
import type { PolicySet } from '../policy/schema.ts';
import type { VexDocument } from '../vex/schema.ts';
import { evaluate, type EvaluationContext } from './evaluate.ts';

/**
 * "What would this policy change block?": the same bundles judged under the base and the proposed
 * policy sets, image by image. Pure, like `evaluate`.
 */

export type PreviewState = 'allowed' | 'blocked';

/** One image whose verdict or failing rules differ between the two policy sets. */
export interface PreviewChange {
  image: string;
  digest?: string;
  before: PreviewState;
  after: PreviewState;
  /** `policy/rule` pairs that fail under the proposed policies and did not before (blocking, warning or shadow). */
  rules_added: string[];
  /** `policy/rule` pairs that failed before and do not under the proposed policies. */
  rules_removed: string[];
}

export interface Preview {
  changes: PreviewChange[];
  /** Images judged alike under both: same state, same failing rules. */
  unchanged: number;
  before: Verdict;
  after: Verdict;
}

/**
 * `context` is shared by both sides; `sides` may give each side its own VEX documents (a pull
 * request that edits a VEX file the policy reads changes what is suppressed, not the policy).
 */
export function previewPolicyChange(
  bundles: readonly Bundle[],
  base: PolicySet,
  proposed: PolicySet,
  context: EvaluationContext,
  sides: { baseVex?: readonly VexDocument[]; proposedVex?: readonly VexDocument[] } = {},
): Preview {
  const before = evaluate([...bundles], base, sides.baseVex === undefined ? context : { ...context, vex: sides.baseVex });
  const after = evaluate([...bundles], proposed, sides.proposedVex === undefined ? context : { ...context, vex: sides.proposedVex });
  const changes: PreviewChange[] = [];
  let unchanged = 0;
  before.images.forEach((was, index) => {
    const now = after.images[index]!;
    const wasRules = failingRules(was);
    const nowRules = failingRules(now);
    const change: PreviewChange = {
      image: was.image,
      before: stateOf(was),
      after: stateOf(now),
      rules_added: [...nowRules].filter((rule) => !wasRules.has(rule)).sort(),
      rules_removed: [...wasRules].filter((rule) => !nowRules.has(rule)).sort(),
    };
    if (was.digest !== undefined) change.digest = was.digest;
    const isSame = change.before === change.after && change.rules_added.length === 0 && change.rules_removed.length === 0;
    if (isSame) unchanged++;
    else changes.push(change);
  });
  // Images that flip first: a new block, then a lifted one, then rule changes alone.
  changes.sort((a, b) => flipRank(a) - flipRank(b) || a.image.localeCompare(b.image));
  return { changes, unchanged, before, after };
}

function stateOf(image: ImageVerdict): PreviewState {
  return isImageBlocked(image) ? 'blocked' : 'allowed';
}

/** `policy/rule` of every failing rule, `policy/unscoped_images` for an image blocked as unscoped. */
function failingRules(image: ImageVerdict): Set<string> {
  const rules = new Set<string>();
  for (const policy of image.policies) {
    for (const violation of policy.violations) rules.add(`${policy.name}/${violation.rule satisfies RuleKey}`);
  }
  if (image.unscoped && isImageBlocked(image)) rules.add('settings/unscoped_images');
  return rules;
}

function flipRank(change: PreviewChange): number {
  if (change.before === 'allowed' && change.after === 'blocked') return 0;
  if (change.before === 'blocked' && change.after === 'allowed') return 1;
  return 2;
}
