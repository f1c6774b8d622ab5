import { readPullRequestEvent } from '../events/pull-request.ts';
import { SETTINGS_DEFAULTS } from '../policy/schema.ts';
import { createPolicyReader } from './policy-reader.ts';
import { previewPolicyChangeGuarded } from './preview-policy.ts';
import { withFinalGuard } from './final-guard.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { markCheckPending } from './mark-pending.ts';
import { rejudgeCommit } from './on-reevaluate.ts';

/**
 * pull_request opened / synchronize / reopened: the head commit's check exists before its scans
 * finish. pull_request edited with a new base: the commit's runs are judged again under the new
 * base's policy (and every other base's), so a pull request that went green into a branch with a
 * looser policy file cannot carry that check into the default branch.
 */
export async function onPullRequest(input: JobInput): Promise<void> {
  // 1. Read the repository and the pull request (an edit that keeps the base is ignored there).
  const event = readPullRequestEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, pull } = event.value;
  const sha = pull.headSha;
  // Every policy this job reads, read once: the check's name, the re-judging and the preview share them.
  const policies = createPolicyReader(input.octokit, target);
  const common = { octokit: input.octokit, store: input.store, target, sha, now: input.now, log: input.log, pullRequests: [pull.number], policies };
  // 2. A pull request that joins a commit judged already under other bases (or whose base changed)
  //    has the commit's runs judged again under every base's policy; others carry over.
  const rejudge = () => rejudgeCommit(common);
  // 3. Mark the check queued (the base branch's policy names it), under the final guard.
  await withFinalGuard({ ...common, settings: policies.checkSettings }, () =>
    markCheckPending({ ...common, pull: { number: pull.number, baseRef: pull.baseRef }, rejudge }),
  );
  // 4. A pull request that edits the policy file gets a second check: what the change would block.
  const checkName = policies.checkSettings()?.check_name ?? SETTINGS_DEFAULTS.check_name;
  await previewPolicyChangeGuarded({ ...common, pull: { number: pull.number, headSha: sha, baseRef: pull.baseRef }, checkName });
}
