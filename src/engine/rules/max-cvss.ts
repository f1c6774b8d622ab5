import type { RuleHit, RuleModule } from './rule.ts';
import { vulnerabilityHit } from './vulnerability-hit.ts';

/** `max_cvss: 9.0` — vulnerabilities whose CVSS score (SPEC §2) is >= the limit; one without a score is not judged. */
export const maxCvssRule: RuleModule = {
  key: 'max_cvss',
  compile(rules) {
    const limit = rules.max_cvss;
    if (limit === undefined) return undefined;
    return function evaluateMaxCvss(facts) {
      const hits: RuleHit[] = [];
      const scores = facts.vulnerabilityCvss;
      for (let i = 0; i < scores.length; i++) {
        // NaN (no score) compares false.
        if (scores[i]! >= limit) {
          hits.push(vulnerabilityHit('max_cvss', facts, i, `has CVSS ${formatScore(scores[i]!)} (the policy blocks ${formatScore(limit)} and above)`));
        }
      }
      return hits;
    };
  },
};

function formatScore(score: number): string {
  return Number.isInteger(score) ? score.toFixed(1) : String(score);
}
