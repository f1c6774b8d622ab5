import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError } from './client.ts';

/** How many commits of a branch, and how many open pull requests, a policy preview looks at. */
export const MAX_RECENT_COMMITS = 50;
export const MAX_OPEN_PULL_REQUESTS = 100;

/** The branch's commits since `since`, newest first (one request, at most MAX_RECENT_COMMITS). */
export async function fetchRecentCommits(octokit: GitHubClient, target: { owner: string; repo: string; branch: string; since: Date }): Promise<string[]> {
  try {
    const { data } = await octokit.rest.repos.listCommits({ owner: target.owner, repo: target.repo, sha: target.branch, since: target.since.toISOString(), per_page: MAX_RECENT_COMMITS });
    return data.map((commit) => commit.sha);
  } catch (error) {
    throw new OperationError(`could not list the recent commits of ${target.branch} (${describeGitHubError(error)})`, { cause: error });
  }
}

/** The open pull requests' head commits and base branches, most recently updated first (one request). */
export async function fetchOpenPullRequestHeads(octokit: GitHubClient, target: { owner: string; repo: string }): Promise<{ number: number; headSha: string; baseRef: string; updatedAt: string }[]> {
  try {
    const { data } = await octokit.rest.pulls.list({ owner: target.owner, repo: target.repo, state: 'open', sort: 'updated', direction: 'desc', per_page: MAX_OPEN_PULL_REQUESTS });
    return data.map((pull) => ({ number: pull.number, headSha: pull.head.sha, baseRef: pull.base.ref, updatedAt: pull.updated_at }));
  } catch (error) {
    throw new OperationError(`could not list the open pull requests (${describeGitHubError(error)})`, { cause: error });
  }
}

/** The repositories the installation can see (each with its default branch), up to `max`. */
export async function fetchInstallationRepositories(octokit: GitHubClient, max: number): Promise<{ owner: string; repo: string; defaultBranch: string }[]> {
  const repositories: { owner: string; repo: string; defaultBranch: string }[] = [];
  try {
    for (let page = 1; repositories.length < max; page++) {
      const { data } = await octokit.rest.apps.listReposAccessibleToInstallation({ per_page: 100, page });
      for (const repository of data.repositories) repositories.push({ owner: repository.owner.login, repo: repository.name, defaultBranch: repository.default_branch ?? 'main' });
      if (data.repositories.length < 100) break;
    }
  } catch (error) {
    throw new OperationError(`could not list the installation's repositories (${describeGitHubError(error)})`, { cause: error });
  }
  return repositories.slice(0, max);
}
