import type { Bundle } from '../../src/model/bundle.ts';
import type { PolicyVerdict, Violation } from '../../src/model/verdict.ts';
import type { LoadedException, Rules } from '../../src/policy/schema.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import { buildPolicy, buildPolicySet } from '../helpers/build-bundle.ts';

export const NOW = new Date('2026-06-15T12:00:00Z');

/** Evaluates one bundle against one block policy with these rules and returns that policy's verdict. */
export function evaluateRules(bundle: Bundle, rules: Rules, exceptions: LoadedException[] = [], now = NOW): PolicyVerdict {
  const verdict = evaluate([bundle], buildPolicySet([buildPolicy({ rules })], exceptions), { now });
  const policy = verdict.images[0]!.policies[0];
  if (policy === undefined) throw new Error('the policy did not scope the bundle');
  return policy;
}

/** The `id`s of the violations, in verdict order. */
export function violationIds(rules: Rules, bundle: Bundle): string[] {
  return evaluateRules(bundle, rules).violations.map((v: Violation) => v.id);
}
