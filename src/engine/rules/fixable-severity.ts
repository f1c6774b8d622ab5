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
    const reasons = new Map<string, string>();
    return function evaluateFixableSeverity(facts) {
      const ranks = facts.vulnerabilityRanks;
      const vulnerabilities = facts.bundle.vulnerabilities;
      const indices: number[] = [];
      for (let i = 0; i < ranks.length; i++) if (ranks[i]! >= minimumRank && hasFix(vulnerabilities[i]!.fixedVersion)) indices.push(i);
      return collectVulnerabilityHits('fixable_severity', facts, indices, (index) => {
        const severity = vulnerabilities[index]!.severity;
        let reason = reasons.get(severity);
        if (reason === undefined) reasons.set(severity, (reason = `is ${severity} and has a fix (the policy blocks fixable ${threshold} and above)`));
        return reason;
      });
    };
  },
};
