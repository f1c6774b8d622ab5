import type { Cvss } from '../model/report.ts';

/** SPEC §2: the highest v3.x/v4.0 base score from any source; only when there is none, the highest v2; else undefined. */
export function bestCvss(scores: readonly Cvss[]): number | undefined {
  let modern = -1;
  let legacy = -1;
  for (const score of scores) {
    if (!Number.isFinite(score.score)) continue;
    if (score.version.startsWith('2')) {
      if (score.score > legacy) legacy = score.score;
    } else if (score.score > modern) {
      modern = score.score;
    }
  }
  if (modern >= 0) return modern;
  if (legacy >= 0) return legacy;
  return undefined;
}
