import { severityRank } from '../../model/severity.ts';
import type { RuleModule } from './rule.ts';
import { collectVulnerabilityHits, hasFix } from './vulnerability-hit.ts';

/** `fixable_severity: high` — vulnerabilities at or above the severity that have a fixed version. */
export const fixableSeverityRule: RuleModule = {
  key: 'fixable_severity',
  isSortedAndUnique: true,
  compile(rules) {
    const threshold = rules.fixable_severity;
    if (threshold === undefined) return undefined;
    const minimumRank = severityRank(threshold);
    return function evaluateFixableSeverity(facts) {
      const ranks = facts.vulnerabilityRanks;
      const vulnerabilities = facts.bundle.vulnerabilities;
      const indices: number[] = [];
      for (let i = 0; i < ranks.length; i++) if (ranks[i]! >= minimumRank && hasFix(vulnerabilities[i]!.fixedVersion)) indices.push(i);
      return collectVulnerabilityHits('fixable_severity', facts, indices, (index) => `is ${vulnerabilities[index]!.severity} and has a fix (the policy blocks fixable ${threshold} and above)`);
    };
  },
};
