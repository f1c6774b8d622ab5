import type { RuleModule } from './rule.ts';
import { collectVulnerabilityHits, VULNERABILITY_TRAITS } from './vulnerability-hit.ts';

/** `max_cvss: 9.0` — vulnerabilities whose CVSS score (SPEC §2) is >= the limit; one without a score is not judged. */
export const maxCvssRule: RuleModule = {
  key: 'max_cvss',
  isSortedAndUnique: true,
  ...VULNERABILITY_TRAITS,
  help: 'A vulnerability whose CVSS score is over the policy\'s ceiling. Upgrade the package, or add a time-limited exception.',
  docsAnchor: 'max_cvss',
  compile(rules) {
    const limit = rules.max_cvss;
    if (limit === undefined) return undefined;
    const shownLimit = formatScore(limit);
    const reasons = new Map<number, string>();
    return function evaluateMaxCvss(facts) {
      const scores = facts.vulnerabilityCvss;
      const indices: number[] = [];
      // NaN (no score) compares false.
      for (let i = 0; i < scores.length; i++) if (scores[i]! >= limit) indices.push(i);
      return collectVulnerabilityHits('max_cvss', facts, indices, (index) => {
        const score = scores[index]!;
        let reason = reasons.get(score);
        if (reason === undefined) reasons.set(score, (reason = `has CVSS ${formatScore(score)} (the policy blocks ${shownLimit} and above)`));
        return reason;
      });
    };
  },
};

function formatScore(score: number): string {
  return Number.isInteger(score) ? score.toFixed(1) : String(score);
}
