import { meetsThreshold } from '../../model/severity.ts';
import type { RuleHit, RuleModule } from './rule.ts';
import { checkHit, groupFailedChecks } from './check-hit.ts';

/** `misconfigurations: high` — failed configuration/compliance checks at or above the severity. */
export const misconfigurationsRule: RuleModule = {
  key: 'misconfigurations',
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
