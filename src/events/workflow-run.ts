import { z } from 'zod';
import type { RunRef } from '../model/outcome.ts';
import { HANDLED_EVENTS } from './handled-events.ts';
import { accepted, CommitSha, type EventRead, ignored, parseEvent } from './read.ts';
import { readTargetedEvent, type RepoTarget } from './repo-target.ts';

/**
 * The few facts of a workflow run the app uses, read from a webhook payload's `workflow_run` or
 * from the list-workflow-runs API (same shape).
 */
export interface WorkflowRunInfo {
  ref: RunRef;
  headSha: string;
  /** 1 for a first run; a re-run of the same run ID has a higher attempt. */
  attempt: number;
  headBranch?: string;
  status?: string;
  /** The workflow file the run ran, e.g. `.github/workflows/scan.yml`. */
  workflowPath?: string;
  /** The run's code comes from another repository (a fork's pull request). */
  isFromFork: boolean;
  /** Pull requests of this repository the run belongs to, with their base branches. */
  pullRequests: { number: number; baseRef: string }[];
}

export interface WorkflowRunEvent {
  target: RepoTarget;
  action: (typeof HANDLED_EVENTS.workflow_run)[number];
  run: WorkflowRunInfo;
}

/** A pull request entry; one that does not parse (or names no base repository) names no base here. */
const PullRequestEntry = z.object({ number: z.number(), base: z.object({ ref: z.string(), repo: z.object({ id: z.number() }) }) });

const WorkflowRun = z.object({
  id: z.number(),
  head_sha: CommitSha,
  run_attempt: z.number().int().min(1).catch(1),
  name: z.string().nullish(),
  path: z.string().nullish(),
  html_url: z.string().catch(''),
  head_branch: z.string().nullish(),
  status: z.string().nullish(),
  // A run without a readable head_repository cannot prove where its code came from: a fork's.
  head_repository: z.object({ id: z.number() }).nullish().catch(null),
  // When the run names its own repository, it must be the event's (a mismatch is ignored).
  repository: z.object({ id: z.number() }).optional(),
  pull_requests: z.array(PullRequestEntry.nullable().catch(null)).catch([]),
});

const WorkflowRunPayload = z.object({ action: z.enum(HANDLED_EVENTS.workflow_run), workflow_run: z.unknown() });

/** `workflow_run` requested / in_progress / completed: the repository and the run. */
export function readWorkflowRunEvent(payload: unknown, appId: number): EventRead<WorkflowRunEvent> {
  const read = readTargetedEvent(WorkflowRunPayload, payload, appId, 'workflow_run');
  if (!read.ok) return read;
  const { target, event } = read.value;
  const run = readWorkflowRun(event.workflow_run, target.repositoryId);
  return run.ok ? accepted({ target, action: event.action, run: run.value }) : run;
}

/**
 * A workflow run of the repository `repositoryId`, from a webhook's `workflow_run` or a listed
 * run. A run that names another repository is ignored: it is never judged here (nor its artifacts listed).
 */
export function readWorkflowRun(raw: unknown, repositoryId: number): EventRead<WorkflowRunInfo> {
  const parsed = parseEvent(WorkflowRun, raw, 'workflow_run');
  if (!parsed.ok) return parsed;
  const run = parsed.value;
  if (run.repository !== undefined && run.repository.id !== repositoryId) return ignored('workflow_run of another repository: ignored');
  // The file without the `@ref` GitHub appends to a called or dynamic workflow; an empty name is named by it.
  const workflowPath = run.path ? run.path.split('@')[0]! : undefined;
  return accepted({
    ref: { id: run.id, name: run.name || workflowPath?.split('/').pop() || 'unnamed workflow', url: run.html_url },
    headSha: run.head_sha,
    attempt: run.run_attempt,
    ...(typeof run.head_branch === 'string' ? { headBranch: run.head_branch } : {}),
    ...(workflowPath === undefined ? {} : { workflowPath }),
    ...(typeof run.status === 'string' ? { status: run.status } : {}),
    isFromFork: run.head_repository?.id !== repositoryId,
    pullRequests: run.pull_requests.flatMap((pull) => (pull !== null && pull.base.repo.id === repositoryId ? [{ number: pull.number, baseRef: pull.base.ref }] : [])),
  });
}
