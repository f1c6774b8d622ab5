import type { OvalResult } from '../../model/report.ts';
import type { RuleHit, RuleModule } from './rule.ts';

/**
 * `oval: deny` — a definition of class `vulnerability` or `patch` whose result is `true`, or of class
 * `compliance` or `inventory` whose result is `false`, is a violation.
 */
export const ovalRule: RuleModule = {
  key: 'oval',
  isVulnerability: false,
  suggestsException: true,
  findingId: 'shared',
  place: 'image',
  help: 'An OVAL definition the policy enforces evaluated true. Apply the update it names.',
  docsAnchor: 'oval',
  fix: (violation) => `apply the update for ${violation.id}`,
  compile(rules) {
    if (rules.oval !== 'deny') return undefined;
    return function evaluateOval(facts) {
      const hits: RuleHit[] = [];
      const seen = new Set<string>();
      for (const result of facts.bundle.oval) {
        if (!isOvalViolation(result) || seen.has(result.id)) continue;
        seen.add(result.id);
        const title = result.title ? ` (${result.title})` : '';
        const refs = result.refs.length > 0 ? ` [${result.refs.slice(0, 5).join(', ')}${result.refs.length > 5 ? ', …' : ''}]` : '';
        const exceptionIds = [result.id.toLowerCase()];
        hits.push({ violation: { rule: 'oval', id: result.id, message: `OVAL ${result.class} definition ${result.id}${title}${refs} ${meaning(result)}` }, exceptionIds });
      }
      return hits;
    };
  },
};

export function isOvalViolation(result: OvalResult): boolean {
  const value = result.result.trim().toLowerCase();
  if (result.class === 'vulnerability' || result.class === 'patch') return value === 'true';
  if (result.class === 'compliance' || result.class === 'inventory') return value === 'false';
  return false;
}

function meaning(result: OvalResult): string {
  switch (result.class) {
    case 'vulnerability':
      return 'is true: the image is vulnerable; update the affected packages';
    case 'patch':
      return 'is true: a patch is missing; update the affected packages';
    default:
      return 'is false: the image is not compliant; fix the configuration it checks';
  }
}
