import type { Baseline } from '../engine/attribution.ts';
import { imageNameOf } from '../engine/match-baselines.ts';
import type { GitHubClient } from '../github/client.ts';
import { fetchChangedFiles } from '../github/compare.ts';
import type { Bundle } from '../model/bundle.ts';
import type { PolicySet } from '../policy/schema.ts';
import type { Store } from '../store/store.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';

/**
 * Attribution's I/O (issue 11). Only where a policy asks for it (`findings: introduced`): the
 * lookups cost a comparison with GitHub per run.
 *
 * - A trusted push to the default branch records which digest its commit built per image name.
 * - A pull request's image is compared with the stored facts of the same image name at the pull
 *   request's merge base; else with the latest default-branch facts; else with none (every
 *   finding counts as introduced, and the check says so).
 */

export interface BaselineTarget {
  octokit: GitHubClient;
  store: Store;
  owner: string;
  repo: string;
  run: WorkflowRunInfo;
  /** The pull request's base branch, else the default branch. */
  policyRef: string;
  defaultBranch: string;
}

export function isAttributionWanted(policySet: PolicySet | undefined): boolean {
  return policySet?.policies.some((policy) => policy.findings === 'introduced') === true;
}

/** The baselines of a pull request's bundles, by bundle key; `undefined` for a run of no pull request. */
export async function loadBaselines(target: BaselineTarget, bundles: readonly Bundle[]): Promise<Map<string, Baseline> | undefined> {
  if (target.run.pullRequests.length === 0) return undefined;
  const repository = `${target.owner}/${target.repo}`;
  const compared = await fetchChangedFiles(target.octokit, { owner: target.owner, repo: target.repo, base: target.policyRef, head: target.run.headSha });
  const baselines = new Map<string, Baseline>();
  for (const bundle of bundles) {
    const image = imageNameOf(bundle);
    const atMergeBase = compared.mergeBaseSha === undefined ? undefined : await target.store.getDefaultBranchDigest(repository, compared.mergeBaseSha, image);
    const recorded = atMergeBase ?? (await target.store.getLatestDefaultBranchDigest(repository, image));
    if (recorded === undefined) continue;
    const facts = await target.store.getFacts(repository, recorded.digest);
    // Facts expire (90 days) or were too large to keep: then there is no baseline (fail closed).
    if (facts === undefined) continue;
    baselines.set(bundle.key, { bundle: facts.bundle, ref: { source: atMergeBase === undefined ? 'default-branch' : 'merge-base', sha: recorded.sha, digest: recorded.digest } });
  }
  return baselines;
}

/**
 * After a push to the default branch: which digest the commit built for each image name. Only a
 * run GitHub confirms is on the default branch counts (a tag can be named like the branch, and a
 * fork's run never counts): a pull request must not be able to plant its own baseline.
 */
export async function recordDefaultBranchDigests(target: BaselineTarget, bundles: readonly Bundle[], now: Date): Promise<number> {
  const { run } = target;
  const isPushToDefaultBranch = !run.isFromFork && run.pullRequests.length === 0 && run.headBranch === target.defaultBranch;
  const withDigest = bundles.filter((bundle) => bundle.image.digest !== undefined);
  if (!isPushToDefaultBranch || withDigest.length === 0) return 0;
  const compared = await fetchChangedFiles(target.octokit, { owner: target.owner, repo: target.repo, base: target.defaultBranch, head: run.headSha });
  if (compared.status !== 'identical' && compared.status !== 'behind') return 0;
  for (const bundle of withDigest) {
    await target.store.putDefaultBranchDigest({
      repository: `${target.owner}/${target.repo}`,
      sha: run.headSha,
      image: imageNameOf(bundle),
      digest: bundle.image.digest!,
      recordedAt: now.toISOString(),
    });
  }
  return withDigest.length;
}
