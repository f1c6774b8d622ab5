import { RE_EVALUATE_ACTION } from '../github/check-runs.ts';
import { fetchWorkflowRunsForSha } from '../github/workflow-runs.ts';
import { evaluateCompletedRun } from './evaluate-run.ts';
import { withFinalGuard } from './final-guard.ts';
import type { OrgPolicyCache, PolicyLoad } from './load-policy.ts';
import type { JobInput } from './on-workflow-run.ts';
import { readRepoTarget, record } from './repo-target.ts';
import type { RepoTarget } from './repo-target.ts';
import type { WorkflowRunInfo } from './workflow-run.ts';
import { isRunOfRepository, readWorkflowRun } from './workflow-run.ts';

/**
 * check_run rerequested / requested_action (re-evaluate) and check_suite rerequested: judge the
 * commit's completed workflow runs again, with the CURRENT policy.
 */
export async function onReevaluate(input: JobInput): Promise<void> {
  // 1. Read the repository and the commit; ignore other buttons.
  const payload = record(input.payload);
  const target = readRepoTarget(payload, input.appId);
  if (!target) return input.log.warn('re-evaluation without repository or installation: ignored');
  if (payload.action === 'requested_action' && record(payload.requested_action).identifier !== RE_EVALUATE_ACTION.identifier) return;
  const checked = record(payload.check_run ?? payload.check_suite);
  // Only a re-run of OUR check run or suite: another app's check is not ours to answer.
  const owner = record(checked.app ?? record(checked.check_suite).app).id;
  if (owner !== input.appId) return input.log.info({ appId: owner }, "re-evaluation of another app's check: ignored");
  const sha = String(checked.head_sha);
  const pullRequests = (Array.isArray(checked.pull_requests) ? checked.pull_requests : []).flatMap((pr) => {
    const number = record(pr).number;
    return typeof number === 'number' ? [number] : [];
  });

  // 2. Judge the commit's completed workflow runs again.
  await rejudgeCommit({ octokit: input.octokit, store: input.store, target, sha, now: input.now, log: input.log, pullRequests });
}

/**
 * Judges a commit's completed workflow runs again, each with its policy as it is now. `pull`, when
 * given, is a pull request the runs belong to that GitHub may not list with them yet (it opened
 * after they ran): its base counts in the choice of the policy.
 */
export async function rejudgeCommit(input: {
  octokit: JobInput['octokit'];
  store: JobInput['store'];
  target: RepoTarget;
  sha: string;
  now: Date;
  log: JobInput['log'];
  pullRequests: number[];
  pull?: { number: number; baseRef: string };
}): Promise<void> {
  const { target, sha, pull } = input;
  // 1. Find the commit's completed workflow runs (guarded: a failed listing still ends the check).
  let runs: WorkflowRunInfo[] = [];
  await withFinalGuard(input, async () => {
    const listed = await fetchWorkflowRunsForSha(input.octokit, { owner: target.owner, repo: target.repo, sha });
    runs = listed
      .filter((run) => isRunOfRepository(run, target.repositoryId))
      .map((run) => readWorkflowRun(run, target.repositoryId))
      .filter((run) => run.status === 'completed' && run.headSha === sha)
      .map((run) => (pull && !run.pullRequests.some((pr) => pr.number === pull.number) ? { ...run, pullRequests: [...run.pullRequests, pull] } : run));
  });

  // 2. Judge each run again; each one is guarded on its own.
  const policies = new Map<string, Promise<PolicyLoad>>();
  const orgPolicy: OrgPolicyCache = {};
  for (const run of runs) {
    await evaluateCompletedRun({ octokit: input.octokit, store: input.store, target, run, now: input.now, log: input.log, policies, orgPolicy });
  }
  if (runs.length === 0) input.log.info({ sha }, 're-evaluation found no completed workflow run');
}
