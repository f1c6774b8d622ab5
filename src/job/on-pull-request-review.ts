import { readReviewEvent } from '../events/pull-request.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { rejudgeCommit } from './on-reevaluate.ts';
import { updateCheckState } from '../store/store.ts';
import { withPullRequestBase } from './update-check.ts';

/**
 * pull_request_review submitted / dismissed: with `workflow_changes: reviewed`, an approval of
 * the head commit lets the reports of a run that edits its workflow count, and a dismissed one
 * takes that back. So the head commit's runs are judged again, when this app judged that commit
 * before (a review elsewhere costs no request).
 */
export async function onPullRequestReview(input: JobInput): Promise<void> {
  // 1. Read the repository and the reviewed pull request.
  const event = readReviewEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, pull } = event.value;
  // 2. Only a commit this app judged before.
  const state = await input.store.getCheckState(`${target.owner}/${target.repo}`, pull.headSha);
  if (!state) return input.log.info({ sha: pull.headSha }, 'review of a commit this app has not judged: ignored');
  // 3. Judge the commit's completed runs again, as a pull request into its base (remembered with the commit).
  if (state.value.pullRequestBases?.[String(pull.number)] !== pull.baseRef) {
    await updateCheckState(input.store, state.value.repository, pull.headSha, (current) => withPullRequestBase(current ?? state.value, pull));
  }
  await rejudgeCommit({ octokit: input.octokit, store: input.store, target, sha: pull.headSha, now: input.now, log: input.log, pullRequests: [pull.number] });
}
