import { readWorkflowRunEvent } from '../events/workflow-run.ts';
import { evaluateCompletedRun, pullNumbers } from './evaluate-run.ts';
import { withFinalGuard } from './final-guard.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { markRunPending } from './mark-pending.ts';
import { createPolicyReader } from './policy-reader.ts';

/**
 * workflow_run requested / in_progress: the run is pending, and the commit's check is (back) in
 * progress before any verdict, so the merge waits for the last scan.
 */
export async function onWorkflowRunStarted(input: JobInput): Promise<void> {
  // 1. Read the repository and the run.
  const event = readWorkflowRunEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, run, action } = event.value;
  const status = action === 'requested' ? 'queued' : 'in_progress';
  // 2. Mark the run pending and the commit's check in progress, under the final guard.
  const policies = createPolicyReader(input.octokit, target);
  const common = { octokit: input.octokit, store: input.store, target, now: input.now, log: input.log };
  await withFinalGuard({ ...common, sha: run.headSha, pullRequests: pullNumbers(run), settings: policies.checkSettings }, () => markRunPending({ ...common, run, status, policies }));
}

/** workflow_run completed: judge the run's reports and answer on the commit's check. */
export async function onWorkflowRunCompleted(input: JobInput): Promise<void> {
  // 1. Read the repository and the run.
  const event = readWorkflowRunEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, run } = event.value;
  // 2. Policy, artifacts, verdicts, check and comment (guarded inside).
  await evaluateCompletedRun({ octokit: input.octokit, store: input.store, target, run, now: input.now, log: input.log });
}
