import { readPullRequestEvent } from '../events/pull-request.ts';
import { SETTINGS_DEFAULTS, type ResolvedSettings } from '../policy/schema.ts';
import type { PolicyLoad } from './load-policy.ts';
import { previewPolicyChangeGuarded } from './preview-policy.ts';
import { withFinalGuard } from './final-guard.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { markCheckPending } from './mark-pending.ts';
import { rejudgeCommit } from './on-reevaluate.ts';

/** pull_request opened / synchronize / reopened: the head commit's check exists before its scans finish. */
export async function onPullRequest(input: JobInput): Promise<void> {
  // 1. Read the repository and the pull request.
  const event = readPullRequestEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, pull } = event.value;
  const sha = pull.headSha;
  let settings: ResolvedSettings | undefined;
  let basePolicy: PolicyLoad | undefined;
  const common = { octokit: input.octokit, store: input.store, target, sha, now: input.now, log: input.log, pullRequests: [pull.number] };
  // 2. A pull request into the default branch that joins a commit judged already (say, for a pull
  //    request into a branch with a looser policy file) has the commit's runs judged again: the
  //    default branch's policy is the one that gates them (policyRefOf). Others carry over.
  const joining = pull.baseRef === target.defaultBranch ? { number: pull.number, baseRef: pull.baseRef } : undefined;
  const rejudge = joining ? () => rejudgeCommit({ ...common, pull: joining }) : undefined;
  // 3. Mark the check queued (the base branch's policy names it), under the final guard.
  await withFinalGuard({ ...common, settings: () => settings }, () =>
    markCheckPending({ ...common, status: 'queued', policyRef: pull.baseRef, ...(rejudge ? { rejudge } : {}) }, (policy) => {
      settings = policy.settings;
      basePolicy = policy;
    }),
  );
  // 4. A pull request that edits the policy file gets a second check: what the change would block.
  const checkName = (settings as ResolvedSettings | undefined)?.check_name ?? SETTINGS_DEFAULTS.check_name;
  const loaded = basePolicy as PolicyLoad | undefined;
  await previewPolicyChangeGuarded({ ...common, pull: { number: pull.number, headSha: sha, baseRef: pull.baseRef }, checkName, ...(loaded === undefined ? {} : { basePolicy: loaded }) });
}
