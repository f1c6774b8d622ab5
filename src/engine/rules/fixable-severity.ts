import { severityRank } from '../../model/severity.ts';
import type { RuleHit, RuleModule } from './rule.ts';
import { hasFix, vulnerabilityHit } from './vulnerability-hit.ts';

/** `fixable_severity: high` — vulnerabilities at or above the severity that have a fixed version. */
export const fixableSeverityRule: RuleModule = {
  key: 'fixable_severity',
  compile(rules) {
    const threshold = rules.fixable_severity;
    if (threshold === undefined) return undefined;
    const minimumRank = severityRank(threshold);
    return function evaluateFixableSeverity(facts) {
      const hits: RuleHit[] = [];
      const ranks = facts.vulnerabilityRanks;
      const vulnerabilities = facts.bundle.vulnerabilities;
      for (let i = 0; i < ranks.length; i++) {
        if (ranks[i]! >= minimumRank && hasFix(vulnerabilities[i]!.fixedVersion)) {
          const severity = vulnerabilities[i]!.severity;
          hits.push(vulnerabilityHit('fixable_severity', facts, i, `is ${severity} and has a fix (the policy blocks fixable ${threshold} and above)`));
        }
      }
      return hits;
    };
  },
};
