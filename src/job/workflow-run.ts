import type { WorkflowRunInfo } from '../events/workflow-run.ts';

/**
 * The run with the pull requests its commit heads as the commit's pull_request events last said
 * (number → base): a base changed after the run started is the one that counts, and a pull request
 * opened after the run is one of its pull requests too.
 */
export function withKnownBases(run: WorkflowRunInfo, knownBases: Readonly<Record<string, string>> | undefined): WorkflowRunInfo {
  if (knownBases === undefined || Object.keys(knownBases).length === 0) return run;
  const bases = new Map<number, string>(run.pullRequests.map((pr) => [pr.number, pr.baseRef]));
  for (const [number, base] of Object.entries(knownBases)) bases.set(Number(number), base);
  return { ...run, pullRequests: [...bases].map(([number, baseRef]) => ({ number, baseRef })).sort((a, b) => a.number - b.number) };
}

/**
 * The branches whose policies judge a run (SPEC §2): the base of every pull request the commit
 * heads, else the default branch. A commit heading pull requests into several branches is judged
 * under each base's policy and is blocked if any blocks: a pull request into a branch of one's
 * own (with a looser policy file) cannot turn the check green for one into the default branch.
 *
 * `primary` is the one whose settings name and shape the commit's single check: the default
 * branch when it is among them, else the first in name order.
 */
export function policyRefsOf(run: WorkflowRunInfo, defaultBranch: string): { refs: string[]; primary: string } {
  const refs = [...new Set(run.pullRequests.map((pr) => pr.baseRef))].sort();
  if (refs.length === 0) return { refs: [defaultBranch], primary: defaultBranch };
  return { refs, primary: refs.includes(defaultBranch) ? defaultBranch : refs[0]! };
}

/** The branch a run's policies' scopes are matched against under `policyRef`: the base for a pull request, else the run's own branch. */
export function branchScopeOf(run: WorkflowRunInfo, policyRef: string): string | undefined {
  return run.pullRequests.length > 0 ? policyRef : run.headBranch;
}
