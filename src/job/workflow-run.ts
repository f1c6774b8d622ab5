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
  /** The workflow file the run ran, e.g. `.github/workflows/scan.yml`. */
  workflowPath?: string;
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
  const workflowPath = typeof run.path === 'string' && run.path !== '' ? run.path.split('@')[0]! : undefined;
  return {
    ref: {
      id: Number(run.id),
      name: runName(run),
      url: typeof run.html_url === 'string' ? run.html_url : '',
    },
    headSha: String(run.head_sha),
    ...(headBranch === undefined ? {} : { headBranch }),
    ...(workflowPath === undefined ? {} : { workflowPath }),
    ...(typeof run.status === 'string' ? { status: run.status } : {}),
    // A run without head_repository cannot prove where its code came from: treat it as a fork's.
    isFromFork: typeof headRepository.id !== 'number' || headRepository.id !== repositoryId,
    pullRequests: pullRequests.flatMap((pr) => {
      const pull = record(pr);
      const base = record(pull.base);
      const baseRepo = record(base.repo);
      // A pull request of another repository (or one that does not say which) names no base here.
      if (typeof pull.number !== 'number' || typeof base.ref !== 'string' || baseRepo.id !== repositoryId) return [];
      return [{ number: pull.number, baseRef: base.ref }];
    }),
  };
}

/** The workflow's name; some deliveries leave it empty, and then its file names it. */
function runName(run: Record<string, unknown>): string {
  if (typeof run.name === 'string' && run.name !== '') return run.name;
  if (typeof run.path === 'string' && run.path !== '') return run.path.split('/').pop()!.split('@')[0]!;
  return 'unnamed workflow';
}

/**
 * The branch whose policy judges a run (SPEC §2): its pull request's base, else the default
 * branch. A commit can head several pull requests; when one of them goes into the default
 * branch, that branch's policy judges it, so a pull request into a branch of one's own (with a
 * looser policy file) cannot turn the commit's check green for the one into the default branch.
 */
export function policyRefOf(run: WorkflowRunInfo, defaultBranch: string): string {
  if (run.pullRequests.length === 0) return defaultBranch;
  return run.pullRequests.some((pr) => pr.baseRef === defaultBranch) ? defaultBranch : run.pullRequests[0]!.baseRef;
}

/**
 * A run belongs to the repository whose event carries it. When the run names its own repository,
 * it must be this one: a run of another repository is never judged here (nor its artifacts listed).
 */
export function isRunOfRepository(raw: unknown, repositoryId: number): boolean {
  const repository = record(record(raw).repository);
  return repository.id === undefined || repository.id === repositoryId;
}

function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
