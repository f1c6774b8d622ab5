import type { RuleHit, RuleModule } from './rule.ts';
import { vulnerabilityHit } from './vulnerability-hit.ts';

/** `cves: [CVE-2021-44228]` — vulnerabilities with these IDs; aliases count, case-insensitively. */
export const cvesRule: RuleModule = {
  key: 'cves',
  compile(rules) {
    if (rules.cves === undefined || rules.cves.length === 0) return undefined;
    const denied = new Set(rules.cves.map((id) => id.toLowerCase()));
    return function evaluateCves(facts) {
      const hits: RuleHit[] = [];
      const vulnerabilities = facts.bundle.vulnerabilities;
      if (vulnerabilities.length === 0) return hits;
      const allIds = facts.vulnerabilityIds();
      for (let i = 0; i < allIds.length; i++) {
        const ids = allIds[i]!;
        for (let j = 0; j < ids.length; j++) {
          if (denied.has(ids[j]!)) {
            const vulnerability = vulnerabilities[i]!;
            const named = j === 0 ? vulnerability.id : vulnerability.aliases[j - 1]!;
            const reason = j === 0 ? 'is denied by the policy' : `is denied by the policy (as ${named})`;
            hits.push(vulnerabilityHit('cves', facts, i, reason));
            break;
          }
        }
      }
      return hits;
    };
  },
};
