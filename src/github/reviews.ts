import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError, statusOf } from './client.ts';
import { MAX_PER_PAGE } from './limits.ts';

/**
 * What `workflow_changes: reviewed` asks of GitHub about a pull request: its author and head
 * commit, each reviewer's latest review, and a reviewer's permission on the repository.
 * GET /repos/{owner}/{repo}/pulls/{pull_number}, GET …/pulls/{pull_number}/reviews,
 * GET /repos/{owner}/{repo}/collaborators/{username}/permission.
 */

export interface PullRequestReviews {
  author: string;
  headSha: string;
  /** Each human reviewer's latest approving or change-requesting review, in the order GitHub lists them. */
  latest: { login: string; state: string; commitId: string }[];
}

export async function fetchPullRequestReviews(octokit: GitHubClient, target: { owner: string; repo: string; pullNumber: number }): Promise<PullRequestReviews> {
  try {
    const { data: pull } = await octokit.rest.pulls.get({ owner: target.owner, repo: target.repo, pull_number: target.pullNumber });
    const reviews = await octokit.paginate(octokit.rest.pulls.listReviews, { owner: target.owner, repo: target.repo, pull_number: target.pullNumber, per_page: MAX_PER_PAGE });
    const latest = new Map<string, { login: string; state: string; commitId: string }>();
    for (const review of reviews) {
      // A comment neither approves nor withdraws an approval; a bot's review is no person's.
      if (!review.user || review.user.type !== 'User' || review.state === 'COMMENTED' || review.state === 'PENDING') continue;
      latest.delete(review.user.login);
      latest.set(review.user.login, { login: review.user.login, state: review.state, commitId: review.commit_id ?? '' });
    }
    return { author: pull.user.login, headSha: pull.head.sha, latest: [...latest.values()] };
  } catch (error) {
    throw new OperationError(`could not read the reviews of pull request #${target.pullNumber} (${describeGitHubError(error)})`, { cause: error });
  }
}

/** Whether `username` can push to the repository (admin, maintain or write); false when not a collaborator. */
export async function hasWriteAccess(octokit: GitHubClient, target: { owner: string; repo: string; username: string }): Promise<boolean> {
  try {
    const { data } = await octokit.rest.repos.getCollaboratorPermissionLevel({ owner: target.owner, repo: target.repo, username: target.username });
    // `permission` folds maintain into write and triage into read.
    return data.permission === 'admin' || data.permission === 'write';
  } catch (error) {
    if (statusOf(error) === 404) return false;
    throw new OperationError(`could not read the permission of ${target.username} on ${target.owner}/${target.repo} (${describeGitHubError(error)})`, { cause: error });
  }
}
