import type { WorkflowRunInfo } from '../events/workflow-run.ts';

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
