import { meetsThreshold } from '../../model/severity.ts';
import type { RuleHit, RuleModule } from './rule.ts';
import { CHECK_TRAITS, checkHit, groupFailedChecks } from './check-hit.ts';

/** `misconfigurations: high` — failed configuration/compliance checks at or above the severity. */
export const misconfigurationsRule: RuleModule = {
  key: 'misconfigurations',
  ...CHECK_TRAITS,
  help: 'A configuration check (Dockerfile, image config) failed. Change the image or its Dockerfile so that the check passes.',
  docsAnchor: 'misconfigurations',
  compile(rules) {
    const threshold = rules.misconfigurations;
    if (threshold === undefined) return undefined;
    return function evaluateMisconfigurations(facts) {
      const hits: RuleHit[] = [];
      for (const checks of groupFailedChecks(facts.bundle.checks, (check) => meetsThreshold(check.severity, threshold)).values()) {
        hits.push(checkHit('misconfigurations', checks, `it is ${checks[0]!.severity}, and the policy blocks ${threshold} and above`));
      }
      return hits;
    };
  },
};
