import type { CheckConclusion, Outcome } from '../model/outcome.ts';
import type { Verdict } from '../model/verdict.ts';
import { isVerdictBlocked } from '../model/blocked.ts';

/**
 * THE one mapping from an outcome to a check conclusion (SPEC §4), failing closed:
 * - `failure` when any problem kept something from being judged, or any image is blocked;
 * - `success` only when at least one image was judged and every image is allowed without warnings;
 * - `neutral` otherwise: warnings only, or nothing judged and nothing failed. An empty
 *   evaluation is never `success`.
 */
export function conclusionOf(outcome: Outcome): CheckConclusion {
  const { verdict, problems } = outcome;
  if (problems.length > 0) return 'failure';
  if (isVerdictBlocked(verdict)) return 'failure';
  if (verdict.images.length === 0) return 'neutral';
  if (verdict.images.some((image) => image.status !== 'allowed')) return 'neutral';
  return 'success';
}

/** A CLI evaluation as an outcome: the verdict alone, with no problems, notes or runs. */
export function verdictOutcome(verdict: Verdict): Outcome {
  return { verdict, problems: [], notes: [], runs: [] };
}
