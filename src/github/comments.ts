import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError, statusOf } from './client.ts';
import { MAX_PER_PAGE } from './limits.ts';

/**
 * The sticky PR comment: exactly one per pull request, found by its marker among the comments
 * THIS app wrote (`performed_via_github_app.id`), and edited in place. Anyone can paste the
 * hidden marker, and other bots (github-actions[bot], driven by a pull request's own workflow)
 * are `type: Bot` too: neither may make us edit their comment. `isUpdateOnly` edits an existing
 * comment but never posts a new one (settings.comment on-failure when the pull request turned green).
 */
export async function upsertPrComment(
  octokit: GitHubClient,
  target: { owner: string; repo: string; pullNumber: number; appId: number; marker: string; body: string; isUpdateOnly: boolean },
): Promise<'created' | 'updated' | 'skipped'> {
  try {
    const ours = await listOurComments(octokit, target);
    const existing = ours[0];
    if (existing) {
      for (const extra of ours.slice(1)) await deleteComment(octokit, target, extra.id);
      if (existing.body === target.body) return 'skipped';
      await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: existing.id, body: target.body });
      return 'updated';
    }
    if (target.isUpdateOnly) return 'skipped';
    const { data: created } = await octokit.rest.issues.createComment({ owner: target.owner, repo: target.repo, issue_number: target.pullNumber, body: target.body });
    // Two jobs may have posted at once: the oldest comment stays, with this body; the others go.
    const after = await listOurComments(octokit, target);
    const keep = after[0];
    if (!keep || after.length === 1) return 'created';
    for (const extra of after.slice(1)) await deleteComment(octokit, target, extra.id);
    if (keep.id !== created.id && keep.body !== target.body) {
      await octokit.rest.issues.updateComment({ owner: target.owner, repo: target.repo, comment_id: keep.id, body: target.body });
    }
    return 'created';
  } catch (error) {
    throw new OperationError(`could not write the comment on pull request #${target.pullNumber} (${describeGitHubError(error)})`, { cause: error });
  }
}

/** This app's comments on the pull request that carry the marker, oldest first. */
async function listOurComments(octokit: GitHubClient, target: { owner: string; repo: string; pullNumber: number; appId: number; marker: string }): Promise<{ id: number; body: string }[]> {
  const comments = await octokit.paginate(octokit.rest.issues.listComments, {
    owner: target.owner,
    repo: target.repo,
    issue_number: target.pullNumber,
    per_page: MAX_PER_PAGE,
  });
  return comments
    .filter((comment) => comment.performed_via_github_app?.id === target.appId && (comment.body ?? '').includes(target.marker))
    .map((comment) => ({ id: comment.id, body: comment.body ?? '' }))
    .sort((a, b) => a.id - b.id);
}

/** Deletes a duplicate; one that a concurrent job deleted first (404) is gone already. */
async function deleteComment(octokit: GitHubClient, target: { owner: string; repo: string }, id: number): Promise<void> {
  try {
    await octokit.rest.issues.deleteComment({ owner: target.owner, repo: target.repo, comment_id: id });
  } catch (error) {
    if (statusOf(error) !== 404) throw error;
  }
}
