import { policyHistorySince, policyOutcomesOf, summarizePolicyHistory } from '../engine/policy-history.ts';
import type { Outcome, PolicyHistorySummary } from '../model/outcome.ts';
import type { Store } from '../store/store.ts';

/**
 * Keeps the commit's outcome per policy (shadow ones included) and reads the repository's recent
 * record back, so that a shadow policy's section can say how often it would have blocked.
 * A commit with no image judged is not recorded: it says nothing about any policy.
 */
export async function recordPolicyHistory(store: Store, target: { repository: string; sha: string }, outcome: Outcome, now: Date): Promise<Record<string, PolicyHistorySummary>> {
  if (outcome.verdict.images.length > 0) {
    await store.putPolicyHistory({ repository: target.repository, sha: target.sha, evaluatedAt: now.toISOString(), policies: policyOutcomesOf(outcome.verdict) });
  }
  return summarizePolicyHistory(await store.listPolicyHistory(target.repository, policyHistorySince(now)));
}
