import type { Rules } from '../../policy/schema.ts';
import type { FindingSeverity } from '../../model/severity.ts';
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

/**
 * Where a rule's finding is in the repository, so the check annotates it and code scanning shows
 * it there: `dockerfile-from` at the final stage's FROM line, `dockerfile-user` at the last USER
 * that applies to it (else at that FROM line: what runs as root starts there), `image` nowhere in
 * the repository (a path inside the image, or none: the check does not annotate it, and code
 * scanning shows it at the policy file unless its own location is a Dockerfile).
 */
export type RulePlace = 'image' | 'dockerfile-from' | 'dockerfile-user';

/**
 * What the rest of the app knows about a rule, kept beside its evaluation so that adding a rule
 * touches its own file (and the registry line in rules/index.ts): renderers, SARIF and the
 * Dockerfile locator read these from `RULES[violation.rule]` and never branch on a rule key.
 */
export interface RuleTraits {
  /**
   * Its violations are vulnerabilities: a table row (ID, package, versions, severity, fix) says it
   * all. Any other rule's message is shown beside the table.
   */
  readonly isVulnerability: boolean;
  /**
   * The comment offers "accept the risk instead" with an exception for it: its violations are
   * findings in the image (a vulnerability, package, secret, check, license, malware, OVAL
   * definition). Every rule can be waived by an exception (README "exceptions[]"); for a root user,
   * an unapproved base image, a missing required package or a custom rule the comment offers the fix only.
   */
  readonly suggestsException: boolean;
  /**
   * `shared`: its violation IDs name findings other rules may name too (a CVE under `severity` and
   * `cves`, a check under `misconfigurations` and `compliance`): the comment lists such a finding
   * once with every rule. `own`: the ID is the rule's own (a custom rule's name, `user`,
   * `base-image`, a required package), never merged with another rule's finding.
   */
  readonly findingId: 'shared' | 'own';
  /** How severe a violation without a severity counts when findings are ranked (sorting, SARIF); without it: after `unknown` when sorting, `high` in SARIF. */
  readonly unratedSeverity?: FindingSeverity;
  /** Where its findings are in the repository (see RulePlace). */
  readonly place: RulePlace;
  /**
   * It judges the image's base image: when no label of the reports names it, the job reads it from
   * the Dockerfile's FROM line before evaluating (only when a policy in use has such a rule).
   */
  readonly readsBaseImage?: boolean;
  /** What it checks and how to clear it, in two or three sentences: the rule's `help` in code scanning. */
  readonly help: string;
  /** The README heading that documents it, as an anchor (`root_user`, `secrets-and-malware`). */
  readonly docsAnchor: string;
  /** The one-line fix for one of its violations, as plain text (escape it for markdown, sanitize it for a terminal). */
  fix(violation: Violation): string;
}

/** One module per policy key (SPEC §3), listed in rules/index.ts. */
export interface RuleModule extends RuleTraits {
  readonly key: RuleKey;
  /** True when the rule returns its hits in violation order, one per finding ID and package (the vulnerability rules). */
  readonly isSortedAndUnique?: boolean;
  /**
   * The part of the policy's rules it reads, for caching: policies with equal configurations share
   * its result per bundle. Without it, `rules[key]`.
   */
  configuration?(rules: Rules): unknown;
  /** `undefined` when the policy does not use the rule (absent, or `allow`). Called once per policy and evaluation. */
  compile(rules: Rules): EvaluateRule | undefined;
}
