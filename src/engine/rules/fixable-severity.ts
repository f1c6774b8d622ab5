import { severityRank } from '../../model/severity.ts';
import type { RuleModule } from './rule.ts';
import { collectVulnerabilityHits, VULNERABILITY_TRAITS, hasFix } from './vulnerability-hit.ts';

/** `fixable_severity: high` — vulnerabilities at or above the severity that have a fixed version. */
export const fixableSeverityRule: RuleModule = {
  key: 'fixable_severity',
  isSortedAndUnique: true,
  ...VULNERABILITY_TRAITS,
  help: 'A vulnerability at or above the threshold that has a fix. Upgrade the package to the fixed version (or rebuild from a patched base image).',
  docsAnchor: 'fixable_severity',
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
