import type { RuleModule } from './rule.ts';
import { collectVulnerabilityHits, VULNERABILITY_TRAITS } from './vulnerability-hit.ts';

/** `cves: [CVE-2021-44228]` — vulnerabilities with these IDs; aliases count, case-insensitively. */
export const cvesRule: RuleModule = {
  key: 'cves',
  isSortedAndUnique: true,
  ...VULNERABILITY_TRAITS,
  help: 'A vulnerability the policy denies by ID, whatever its severity. Remove or upgrade the affected package.',
  docsAnchor: 'cves',
  compile(rules) {
    if (rules.cves === undefined || rules.cves.length === 0) return undefined;
    const denied = [...new Set(rules.cves.map((id) => id.toLowerCase()))];
    return function evaluateCves(facts) {
      const vulnerabilities = facts.bundle.vulnerabilities;
      if (vulnerabilities.length === 0) return [];
      const found = facts.findVulnerabilities(denied);
      return collectVulnerabilityHits('cves', facts, [...found.keys()], (index) => {
        const vulnerability = vulnerabilities[index]!;
        if (found.get(index)!.includes(vulnerability.id.toLowerCase())) return 'is denied by the policy';
        const alias = vulnerability.aliases.find((a) => found.get(index)!.includes(a.toLowerCase()));
        return `is denied by the policy (as ${alias ?? found.get(index)![0]})`;
      });
    };
  },
};
