import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError, statusOf } from './client.ts';

/**
 * The paths of every file (blob) in a repository at a ref, in one request:
 * GET /repos/{owner}/{repo}/git/trees/{tree_sha}?recursive=1, where `tree_sha` may be a branch
 * name (https://docs.github.com/en/rest/git/trees#get-a-tree). `undefined` when the repository or
 * the ref does not exist (404 or 409 for an empty repository). `isTruncated` is GitHub's `truncated`:
 * over 100,000 entries or 7 MB, some paths are missing.
 */
export async function fetchFilePaths(octokit: GitHubClient, target: { owner: string; repo: string; ref: string }): Promise<{ paths: string[]; isTruncated: boolean } | undefined> {
  try {
    const response = await octokit.rest.git.getTree({ owner: target.owner, repo: target.repo, tree_sha: target.ref, recursive: '1' });
    const paths = response.data.tree.flatMap((entry) => (entry.type === 'blob' && typeof entry.path === 'string' ? [entry.path] : []));
    return { paths, isTruncated: response.data.truncated };
  } catch (error) {
    const status = statusOf(error);
    if (status === 404 || status === 409) return undefined;
    throw new OperationError(`could not list the files of ${target.owner}/${target.repo}@${target.ref} (${describeGitHubError(error)})`, { cause: error });
  }
}

/** A repository's default branch, or `undefined` when the repository does not exist (404). */
export async function fetchDefaultBranch(octokit: GitHubClient, target: { owner: string; repo: string }): Promise<string | undefined> {
  try {
    const response = await octokit.rest.repos.get({ owner: target.owner, repo: target.repo });
    return response.data.default_branch;
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    throw new OperationError(`could not read the repository ${target.owner}/${target.repo} (${describeGitHubError(error)})`, { cause: error });
  }
}
