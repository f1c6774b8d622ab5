import type { FindingSeverity } from '../model/severity.ts';
import type { ExceptionUse, ImageVerdict, PolicyVerdict, RuleKey, SuppressedFinding as SuppressedViolation, Violation } from '../model/verdict.ts';
import { sortByViolation } from './format.ts';

/**
 * One finding of an image with every policy and rule it violates. The verdict lists a violation
 * per policy and rule (SPEC §3), so one CVE that fails `severity` and `fixable_severity` in three
 * policies is six violations; a reader wants it once, with the six reasons beside it.
 */
export interface ImageFinding {
  /** The most severe of the finding's violations, as the engine wrote it. */
  violation: Violation;
  /**
   * Each policy it violates (in the image's policy order) with the rules it fails there;
   * `isWarning` when it is one of the policy's `warnings` (inherited or newly disclosed under
   * `findings: introduced`: it does not block).
   */
  policies: { policy: PolicyVerdict; rules: RuleKey[]; isWarning: boolean }[];
}

/** A finding an exception or a VEX statement suppressed, with the policies where it did. */
export interface SuppressedFinding {
  violation: SuppressedViolation;
  policies: PolicyVerdict[];
  /** The exception's expiry, when the policy lists the exception. */
  expires?: string;
}

/** What makes two violations the same finding: the ID, the package and its version, and where it is. */
function findingKey(violation: Violation): string {
  return [violation.id, violation.package ?? '', violation.version ?? '', violation.location?.path ?? '', violation.location?.line ?? ''].join('\u0000');
}

/** The image's findings in violation, most severe first (then in the engine's order). */
export function imageFindings(image: ImageVerdict): ImageFinding[] {
  const entries = image.policies.flatMap((policy) => [
    ...policy.violations.map((violation) => ({ policy, violation, isWarning: false })),
    ...(policy.warnings ?? []).map((violation) => ({ policy, violation, isWarning: true })),
  ]);
  const byKey = new Map<string, ImageFinding>();
  for (const { policy, violation, isWarning } of sortByViolation(entries, (entry) => entry.violation)) {
    const key = findingKey(violation);
    let finding = byKey.get(key);
    if (finding === undefined) {
      finding = { violation, policies: [] };
      byKey.set(key, finding);
    }
    const hit = finding.policies.find((entry) => entry.policy === policy);
    if (hit === undefined) finding.policies.push({ policy, rules: [violation.rule], isWarning });
    else if (!hit.rules.includes(violation.rule)) hit.rules.push(violation.rule);
  }
  const policyOrder = new Map(image.policies.map((policy, index) => [policy, index]));
  const findings = [...byKey.values()];
  for (const finding of findings) finding.policies.sort((a, b) => policyOrder.get(a.policy)! - policyOrder.get(b.policy)!);
  return findings;
}

/** The image's suppressed findings, once each per exception or VEX statement, most severe first. */
export function suppressedFindings(image: ImageVerdict): SuppressedFinding[] {
  const entries = image.policies.flatMap((policy) => policy.suppressed.map((violation) => ({ policy, violation })));
  const byKey = new Map<string, SuppressedFinding>();
  for (const { policy, violation } of sortByViolation(entries, (entry) => entry.violation)) {
    const by = violation.vex === undefined ? `exception ${violation.exception ?? ''}` : `vex ${violation.vex.document} ${violation.vex.statement}`;
    const key = `${findingKey(violation)}\u0000${by}`;
    const known = byKey.get(key);
    if (known !== undefined) {
      if (!known.policies.includes(policy)) known.policies.push(policy);
      continue;
    }
    const expires = violation.exception === undefined ? undefined : policy.exceptions.find((use) => use.id === violation.exception)?.expires;
    byKey.set(key, { violation, policies: [policy], ...(expires === undefined ? {} : { expires }) });
  }
  return [...byKey.values()];
}

/** The image's expired exceptions, once each (an exception applies in every policy it matched). */
export function expiredExceptionsOf(image: ImageVerdict): ExceptionUse[] {
  const seen = new Set<string>();
  const expired: ExceptionUse[] = [];
  for (const policy of image.policies) {
    for (const use of policy.exceptions) {
      const key = `${use.id}\u0000${use.source}`;
      if (!use.expired || seen.has(key)) continue;
      seen.add(key);
      expired.push(use);
    }
  }
  return expired;
}

/** Severity words in the order totals list them; `none` is a finding without a severity (root user, base image, …). */
export const TOTAL_ORDER: readonly (FindingSeverity | 'none')[] = ['critical', 'high', 'medium', 'low', 'negligible', 'unknown', 'none'];

/** How many findings there are of each severity. */
export function severityTotals(findings: readonly ImageFinding[]): Map<FindingSeverity | 'none', number> {
  const totals = new Map<FindingSeverity | 'none', number>();
  for (const finding of findings) {
    const severity = finding.violation.severity ?? 'none';
    totals.set(severity, (totals.get(severity) ?? 0) + 1);
  }
  return totals;
}
