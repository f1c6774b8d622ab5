import { severityRank } from '../../model/severity.ts';
import type { RuleHit, RuleModule } from './rule.ts';
import { vulnerabilityHit } from './vulnerability-hit.ts';

/** `severity: high` — vulnerabilities at or above the severity. `unknown` has rank -1, so it meets no threshold (as `meetsThreshold`). */
export const severityRule: RuleModule = {
  key: 'severity',
  compile(rules) {
    const threshold = rules.severity;
    if (threshold === undefined) return undefined;
    const minimumRank = severityRank(threshold);
    return function evaluateSeverity(facts) {
      const hits: RuleHit[] = [];
      const ranks = facts.vulnerabilityRanks;
      for (let i = 0; i < ranks.length; i++) {
        if (ranks[i]! >= minimumRank) {
          const severity = facts.bundle.vulnerabilities[i]!.severity;
          hits.push(vulnerabilityHit('severity', facts, i, `is ${severity} (the policy blocks ${threshold} and above)`));
        }
      }
      return hits;
    };
  },
};
