import { readWorkflowRunEvent } from '../events/workflow-run.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { evaluateCompletedRun, pullNumbers } from './evaluate-run.ts';
import { withFinalGuard } from './final-guard.ts';
import { type JobInput, logIgnored } from './job-input.ts';
import { markCheckPending } from './mark-pending.ts';
import { policyRefOf } from './workflow-run.ts';

/** workflow_run requested / in_progress: the check exists (queued / in progress) before any verdict. */
export async function onWorkflowRunStarted(input: JobInput): Promise<void> {
  // 1. Read the repository and the run.
  const event = readWorkflowRunEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const { target, run, action } = event.value;
  const status = action === 'requested' ? 'queued' : 'in_progress';
  let settings: ResolvedSettings | undefined;
  const common = { octokit: input.octokit, store: input.store, target, sha: run.headSha, now: input.now, log: input.log };
  // 2. Mark the commit's check pending, under the final guard.
  await withFinalGuard({ ...common, pullRequests: pullNumbers(run), settings: () => settings }, () =>
    markCheckPending(
      { ...common, status, policyRef: policyRefOf(run, target.defaultBranch), pullRequests: pullNumbers(run), ...(run.ref.url ? { detailsUrl: run.ref.url } : {}) },
      (policy) => (settings = policy.settings),
    ),
  );
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
