import { severityRank } from '../../model/severity.ts';
import type { RuleModule } from './rule.ts';
import { collectVulnerabilityHits, VULNERABILITY_TRAITS } from './vulnerability-hit.ts';

/** `severity: high` — vulnerabilities at or above the severity. `unknown` has rank -1, so it meets no threshold (as `meetsThreshold`). */
export const severityRule: RuleModule = {
  key: 'severity',
  isSortedAndUnique: true,
  ...VULNERABILITY_TRAITS,
  help: 'A vulnerability at or above the policy\'s severity threshold. Upgrade the package to the fixed version, rebuild from a patched base image, or add a time-limited exception.',
  docsAnchor: 'severity',
  compile(rules) {
    const threshold = rules.severity;
    if (threshold === undefined) return undefined;
    const minimumRank = severityRank(threshold);
    const reasons = new Map<string, string>();
    return function evaluateSeverity(facts) {
      const ranks = facts.vulnerabilityRanks;
      const indices: number[] = [];
      for (let i = 0; i < ranks.length; i++) if (ranks[i]! >= minimumRank) indices.push(i);
      return collectVulnerabilityHits('severity', facts, indices, (index) => {
        const severity = facts.bundle.vulnerabilities[index]!.severity;
        let reason = reasons.get(severity);
        if (reason === undefined) reasons.set(severity, (reason = `is ${severity} (the policy blocks ${threshold} and above)`));
        return reason;
      });
    };
  },
};
