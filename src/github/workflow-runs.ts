import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError } from './client.ts';
import { MAX_PER_PAGE } from './limits.ts';

/** The workflow runs of one commit (for re-evaluation), as GitHub lists them. */
export async function fetchWorkflowRunsForSha(octokit: GitHubClient, target: { owner: string; repo: string; sha: string }): Promise<unknown[]> {
  try {
    const { data } = await octokit.rest.actions.listWorkflowRunsForRepo({
      owner: target.owner,
      repo: target.repo,
      head_sha: target.sha,
      per_page: MAX_PER_PAGE,
    });
    return data.workflow_runs;
  } catch (error) {
    throw new OperationError(`could not list the workflow runs of ${target.sha} (${describeGitHubError(error)})`, { cause: error });
  }
}
