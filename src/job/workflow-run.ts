import type { RunRef } from '../model/outcome.ts';

/**
 * The few facts of a workflow run the app uses, read from a webhook payload's `workflow_run` or
 * from the list-workflow-runs API (same shape). Reading it once keeps `any` out of the stages.
 */
export interface WorkflowRunInfo {
  ref: RunRef;
  headSha: string;
  headBranch?: string;
  status?: string;
  /** The run's code comes from another repository (a fork's pull request). */
  isFromFork: boolean;
  /** Pull requests of this repository the run belongs to, with their base branches. */
  pullRequests: { number: number; baseRef: string }[];
}

export function readWorkflowRun(raw: unknown, repositoryId: number): WorkflowRunInfo {
  const run = record(raw);
  const headRepository = record(run.head_repository);
  const pullRequests = Array.isArray(run.pull_requests) ? run.pull_requests : [];
  const headBranch = typeof run.head_branch === 'string' ? run.head_branch : undefined;
  return {
    ref: {
      id: Number(run.id),
      name: typeof run.name === 'string' && run.name !== '' ? run.name : 'unnamed workflow',
      url: typeof run.html_url === 'string' ? run.html_url : '',
    },
    headSha: String(run.head_sha),
    ...(headBranch === undefined ? {} : { headBranch }),
    ...(typeof run.status === 'string' ? { status: run.status } : {}),
    // A run without head_repository cannot prove where its code came from: treat it as a fork's.
    isFromFork: typeof headRepository.id !== 'number' || headRepository.id !== repositoryId,
    pullRequests: pullRequests.flatMap((pr) => {
      const pull = record(pr);
      const base = record(pull.base);
      const baseRepo = record(base.repo);
      if (typeof pull.number !== 'number' || typeof base.ref !== 'string') return [];
      if (typeof baseRepo.id === 'number' && baseRepo.id !== repositoryId) return [];
      return [{ number: pull.number, baseRef: base.ref }];
    }),
  };
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
