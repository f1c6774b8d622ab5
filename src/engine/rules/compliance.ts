import type { RuleHit, RuleModule } from './rule.ts';
import { CHECK_TRAITS, checkHit, groupFailedChecks } from './check-hit.ts';

/** `compliance: [CIS-DI-0001, DS-0002]` — these checks must not fail. IDs compare case-insensitively; a check's alternative IDs match too. */
export const complianceRule: RuleModule = {
  key: 'compliance',
  ...CHECK_TRAITS,
  help: 'A compliance benchmark check (CIS, Dockle, XCCDF) failed. Change the image or its Dockerfile so that the check passes.',
  docsAnchor: 'compliance',
  compile(rules) {
    if (rules.compliance === undefined || rules.compliance.length === 0) return undefined;
    const required = new Set(rules.compliance.map((id) => id.toLowerCase()));
    return function evaluateCompliance(facts) {
      const hits: RuleHit[] = [];
      const groups = groupFailedChecks(facts.bundle.checks, (check) => required.has(check.id.toLowerCase()) || check.altIds.some((altId) => required.has(altId.toLowerCase())));
      for (const checks of groups.values()) hits.push(checkHit('compliance', checks, 'the policy requires this check to pass'));
      return hits;
    };
  },
};
