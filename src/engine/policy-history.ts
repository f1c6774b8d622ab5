import type { PolicyHistorySummary, PolicyOutcome } from '../model/outcome.ts';
import type { Verdict } from '../model/verdict.ts';

/**
 * "Would have blocked N of the last M commits judged here": each policy's record over the
 * repository's recent evaluations. Pure: the caller reads the records and passes `now`.
 */

/** How far back a shadow policy's record looks. */
export const POLICY_HISTORY_WINDOW_DAYS = 30;

/** One commit's outcome per policy, as the store keeps it. */
export interface CommitPolicyOutcomes {
  sha: string;
  evaluatedAt: string;
  policies: readonly { name: string; failed: boolean }[];
}

/** Per policy name: of the commits it judged, how many it failed (would have blocked). */
export function summarizePolicyHistory(records: readonly CommitPolicyOutcomes[]): Record<string, PolicyHistorySummary> {
  const summary: Record<string, PolicyHistorySummary> = {};
  for (const record of records) {
    for (const policy of record.policies) {
      const entry = (summary[policy.name] ??= { failed: 0, judged: 0, days: POLICY_HISTORY_WINDOW_DAYS });
      entry.judged++;
      if (policy.failed) entry.failed++;
    }
  }
  return summary;
}

/** A commit's outcome per policy from its verdict: a policy failed when it failed for any image. */
export function policyOutcomesOf(verdict: Verdict): PolicyOutcome[] {
  const byName = new Map<string, PolicyOutcome>();
  for (const image of verdict.images) {
    for (const policy of image.policies) {
      const entry = byName.get(policy.name) ?? { name: policy.name, enforcement: policy.enforcement, failed: false };
      entry.failed ||= !policy.passed;
      byName.set(policy.name, entry);
    }
  }
  return [...byName.values()];
}

/** The start of the window that ends at `now`. */
export function policyHistorySince(now: Date): Date {
  return new Date(now.getTime() - POLICY_HISTORY_WINDOW_DAYS * 86_400_000);
}
