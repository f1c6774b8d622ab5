import { readCheckEvent } from '../events/check.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { readWorkflowRun, type WorkflowRunInfo } from '../events/workflow-run.ts';
import { RE_EVALUATE_ACTION } from '../github/check-runs.ts';
import { fetchWorkflowRunsForSha } from '../github/workflow-runs.ts';
import { evaluateCompletedRun } from './evaluate-run.ts';
import { withFinalGuard } from './final-guard.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { createPolicyReader, type PolicyReader } from './policy-reader.ts';

/**
 * check_run rerequested / requested_action (re-evaluate) and check_suite rerequested: judge the
 * commit's completed workflow runs again, with the CURRENT policy.
 */
export async function onReevaluate(input: JobInput): Promise<void> {
  // 1. Read the repository and the commit of this app's check; ignore other buttons.
  const event = readCheckEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, headSha, pullRequests, requestedAction } = event.value;
  if (requestedAction !== undefined && requestedAction !== RE_EVALUATE_ACTION.identifier) return;
  // 2. Judge the commit's completed workflow runs again.
  await rejudgeCommit({ octokit: input.octokit, store: input.store, target, sha: headSha, now: input.now, log: input.log, pullRequests });
}

/**
 * Judges a commit's completed workflow runs again, each with its policies as they are now. The
 * pull requests the commit heads, with their bases, come from the stored check state too (a pull
 * request opened after the runs, or whose base changed, counts with its current base).
 */
export async function rejudgeCommit(input: {
  octokit: JobInput['octokit'];
  store: JobInput['store'];
  target: RepoTarget;
  sha: string;
  now: Date;
  log: JobInput['log'];
  pullRequests: number[];
  /** The job's policy reader, when the orchestrator read policies already (each is read once per job). */
  policies?: PolicyReader;
}): Promise<void> {
  const { target, sha } = input;
  // 1. Find the commit's completed workflow runs (guarded: a failed listing still ends the check).
  let runs: WorkflowRunInfo[] = [];
  await withFinalGuard(input, async () => {
    const listed = await fetchWorkflowRunsForSha(input.octokit, { owner: target.owner, repo: target.repo, sha });
    runs = listed
      .flatMap((raw) => {
        const run = readWorkflowRun(raw, target.repositoryId);
        if (run.ok) return [run.value];
        logIgnored(input.log, run);
        return [];
      })
      .filter((run) => run.status === 'completed' && run.headSha === sha);
  });

  // 2. Judge each run again; each one is guarded on its own.
  const policies = input.policies ?? createPolicyReader(input.octokit, target);
  for (const run of runs) {
    await evaluateCompletedRun({ octokit: input.octokit, store: input.store, target, run, now: input.now, log: input.log, policies });
  }
  if (runs.length === 0) input.log.info({ sha }, 're-evaluation found no completed workflow run');
}
