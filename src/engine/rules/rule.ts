import type { Rules } from '../../policy/schema.ts';
import type { RuleKey, Violation } from '../../model/verdict.ts';
import type { BundleFacts } from '../facts.ts';

/**
 * One violation a rule found, with what an exception's `id` may name to waive it (lowercase):
 * `exceptionIds`, or for a vulnerability its ID and aliases, looked up by `vulnerabilityIndex` only
 * when an exception could apply.
 */
export interface RuleHit {
  violation: Violation;
  exceptionIds?: readonly string[];
  vulnerabilityIndex?: number;
}

/** A rule compiled for one policy: run it on each bundle in scope. */
export type EvaluateRule = (facts: BundleFacts) => RuleHit[];

/** One module per policy key (SPEC §3), listed in rules/index.ts. */
export interface RuleModule {
  readonly key: RuleKey;
  /** True when the rule returns its hits in violation order, one per finding ID and package (the vulnerability rules). */
  readonly isSortedAndUnique?: boolean;
  /** `undefined` when the policy does not use the rule (absent, or `allow`). Called once per policy and evaluation. */
  compile(rules: Rules): EvaluateRule | undefined;
}
