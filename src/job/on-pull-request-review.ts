import { rejudgeCommit } from './on-reevaluate.ts';
import type { JobInput } from './on-workflow-run.ts';
import { readRepoTarget, record } from './repo-target.ts';

/**
 * pull_request_review submitted / dismissed: with `workflow_changes: reviewed`, an approval of
 * the head commit lets the reports of a run that edits its workflow count, and a dismissed one
 * takes that back. So the head commit's runs are judged again, when this app judged that commit
 * before (a review elsewhere costs no request).
 */
export async function onPullRequestReview(input: JobInput): Promise<void> {
  // 1. Read the repository and the pull request's head commit.
  const target = readRepoTarget(input.payload, input.appId);
  if (!target) return input.log.warn('pull_request_review without repository or installation: ignored');
  const pull = record(record(input.payload).pull_request);
  const sha = String(record(pull.head).sha);
  const baseRef = record(pull.base).ref;
  if (typeof pull.number !== 'number' || typeof baseRef !== 'string') return input.log.warn('pull_request_review without a pull request: ignored');
  const state = await input.store.getCheckState(`${target.owner}/${target.repo}`, sha);
  if (!state) return input.log.info({ sha }, 'review of a commit this app has not judged: ignored');

  // 2. Judge the commit's completed runs again, as a pull request into its base.
  await rejudgeCommit({ octokit: input.octokit, store: input.store, target, sha, now: input.now, log: input.log, pullRequests: [pull.number], pull: { number: pull.number, baseRef } });
}
