import type { Logger } from 'probot';
import { postPendingCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import type { Store } from '../store/store.ts';
import { updateCheckState } from '../store/store.ts';
import { loadRepoPolicy } from './load-policy.ts';
import type { PolicyLoad } from './load-policy.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { emptyState, publishCheckState, rememberPublished } from './update-check.ts';

export interface MarkPendingInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  sha: string;
  status: 'queued' | 'in_progress';
  /** The branch whose policy names the check: a pull request's base, else the default branch. */
  policyRef: string;
  pullRequests: number[];
  detailsUrl?: string;
  now: Date;
  log: Logger;
  /**
   * Judges the commit's runs again instead of carrying their verdicts over to a pull request
   * that joins an already judged commit (its base's policy may differ from the one that judged them).
   */
  rejudge?: () => Promise<void>;
}

/**
 * Makes the commit's check exist early (queued or in progress), so a required check blocks the
 * merge before any scan finished. A commit that already has its check keeps it as it is; a pull
 * request that opens on a commit already judged gets its comment.
 */
export async function markCheckPending(input: MarkPendingInput, onPolicy: (policy: PolicyLoad) => void): Promise<void> {
  const { octokit, store, target, sha, now } = input;
  const repository = `${target.owner}/${target.repo}`;
  // 1. Nothing to do when the commit has its check and knows its pull requests (no GitHub call).
  const before = await store.getCheckState(repository, sha);
  const hasKnownPullRequests = input.pullRequests.every((number) => before?.value.pullRequests.includes(number));
  if (before?.value.checkRunId !== undefined && hasKnownPullRequests) return;
  // 2. The check's name comes from the policy that will judge the commit.
  const policy = await loadRepoPolicy(octokit, { owner: target.owner, repo: target.repo, ref: input.policyRef });
  onPolicy(policy);
  // 3. Remember the commit and its pull requests.
  const state = await updateCheckState(store, repository, sha, (current) => {
    const base = current ?? { ...emptyState(repository, sha, target.installationId), updatedAt: now.toISOString() };
    return { ...base, installationId: target.installationId, pullRequests: [...new Set([...base.pullRequests, ...input.pullRequests])] };
  });
  // 4. Create the pending check once; a commit judged already only gets its new pull requests' comments.
  if (state.checkRunId === undefined) {
    const checkRunId = await postPendingCheckRun(octokit, {
      owner: target.owner,
      repo: target.repo,
      sha,
      name: policy.settings.check_name,
      status: input.status,
      ...(input.detailsUrl ? { detailsUrl: input.detailsUrl } : {}),
    });
    await rememberPublished(store, state, { checkRunId, conclusion: undefined, annotationKeys: [] });
    return;
  }
  const hasNewPullRequest = state.pullRequests.length > (before?.value.pullRequests.length ?? 0);
  if (Object.keys(state.runs).length > 0 && hasNewPullRequest) {
    if (input.rejudge) return input.rejudge();
    await publishCheckState({ octokit, store, owner: target.owner, repo: target.repo, state, settings: policy.settings, now, appId: target.appId });
  }
}
