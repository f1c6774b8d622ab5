import type { Logger } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import type { Store } from '../store/store.ts';
import { evaluateCompletedRun, pullNumbers } from './evaluate-run.ts';
import { withFinalGuard } from './final-guard.ts';
import { markCheckPending } from './mark-pending.ts';
import { readRepoTarget, record } from './repo-target.ts';
import { isRunOfRepository, policyRefOf, readWorkflowRun } from './workflow-run.ts';

export interface JobInput {
  octokit: GitHubClient;
  store: Store;
  payload: unknown;
  now: Date;
  log: Logger;
  /** This GitHub App's ID: only its own check runs, suites and comments are acted on. */
  appId: number;
}

/** workflow_run requested / in_progress: the check exists (queued / in progress) before any verdict. */
export async function onWorkflowRunStarted(input: JobInput): Promise<void> {
  // 1. Read the repository and the run from the payload.
  const target = readRepoTarget(input.payload, input.appId);
  if (!target) return input.log.warn('workflow_run without repository or installation: ignored');
  if (!isRunOfRepository(record(input.payload).workflow_run, target.repositoryId)) return input.log.warn('workflow_run of another repository: ignored');
  const run = readWorkflowRun(record(input.payload).workflow_run, target.repositoryId);
  const status = record(input.payload).action === 'requested' ? 'queued' : 'in_progress';
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
  // 1. Read the repository and the run from the payload.
  const target = readRepoTarget(input.payload, input.appId);
  if (!target) return input.log.warn('workflow_run without repository or installation: ignored');
  if (!isRunOfRepository(record(input.payload).workflow_run, target.repositoryId)) return input.log.warn('workflow_run of another repository: ignored');
  const run = readWorkflowRun(record(input.payload).workflow_run, target.repositoryId);
  // 2. Policy, artifacts, verdicts, check and comment (guarded inside).
  await evaluateCompletedRun({ octokit: input.octokit, store: input.store, target, run, now: input.now, log: input.log });
}
