import type { Check } from '../../model/report.ts';
import type { RuleKey, Violation } from '../../model/verdict.ts';
import type { RuleHit, RuleTraits } from './rule.ts';

/** What the two check rules (`misconfigurations`, `compliance`) share; each adds its help text and docs anchor. */
export const CHECK_TRAITS = {
  isVulnerability: false,
  suggestsException: true,
  findingId: 'shared',
  place: 'image',
  fix: (violation) => `change the image or its Dockerfile so that check ${violation.id} passes`,
} as const satisfies Omit<RuleTraits, 'help' | 'docsAnchor'>;

/** Failed checks grouped by ID (case-insensitively): one violation per check, naming where it failed. */
export function groupFailedChecks(checks: readonly Check[], accept: (check: Check) => boolean): Map<string, Check[]> {
  const byId = new Map<string, Check[]>();
  for (const check of checks) {
    if (check.status !== 'fail' || !accept(check)) continue;
    const key = check.id.toLowerCase();
    const found = byId.get(key);
    if (found) found.push(check);
    else byId.set(key, [check]);
  }
  return byId;
}

export function checkHit(rule: RuleKey, checks: readonly Check[], reason: string): RuleHit {
  const first = checks[0]!;
  const targets = [...new Set(checks.map((c) => c.location?.path ?? c.target).filter((t): t is string => t !== undefined && t !== ''))];
  const where = targets.length === 0 ? '' : ` in ${targets.length > 3 ? `${targets.slice(0, 3).join(', ')} and ${targets.length - 3} more` : targets.join(', ')}`;
  const detail = first.message && first.message !== first.title ? `: ${first.message}` : '';
  const violation: Violation = {
    rule,
    id: first.id,
    severity: first.severity,
    message: `${first.id} (${first.title}) failed${where}${detail}; ${reason}`,
  };
  if (first.location) violation.location = first.location.line === undefined ? { path: first.location.path } : { path: first.location.path, line: first.location.line };
  const exceptionIds = [first.id.toLowerCase()];
  for (const check of checks) for (const altId of check.altIds) {
    const lower = altId.toLowerCase();
    if (!exceptionIds.includes(lower)) exceptionIds.push(lower);
  }
  return { violation, exceptionIds };
}
