import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError } from './client.ts';
import { MAX_PER_PAGE } from './limits.ts';

/**
 * The sticky PR comment: exactly one per pull request, found by its marker among the comments
 * THIS app wrote (`performed_via_github_app.id`), and edited in place. Anyone can paste the
 * hidden marker, and other bots (github-actions[bot], driven by a pull request's own workflow)
 * are `type: Bot` too: neither may make us edit their comment. `isUpdateOnly` edits an existing comment but never posts a new
 * one (settings.comment on-failure when the pull request turned green).
 */
export async function upsertPrComment(
  octokit: GitHubClient,
  target: { owner: string; repo: string; pullNumber: number; appId: number; marker: string; body: string; isUpdateOnly: boolean },
): Promise<'created' | 'updated' | 'skipped'> {
  try {
    const comments = await octokit.paginate(octokit.rest.issues.listComments, {
      owner: target.owner,
      repo: target.repo,
      issue_number: target.pullNumber,
      per_page: MAX_PER_PAGE,
    });
    const ours = comments.find((comment) => comment.performed_via_github_app?.id === target.appId && (comment.body ?? '').includes(target.marker));
    if (ours) {
      if (ours.body === target.body) return 'skipped';
      await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: ours.id, body: target.body });
      return 'updated';
    }
    if (target.isUpdateOnly) return 'skipped';
    await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.pullNumber, body: target.body });
    return 'created';
  } catch (error) {
    throw new OperationError(`could not write the comment on pull request #${target.pullNumber} (${describeGitHubError(error)})`, { cause: error });
  }
}
