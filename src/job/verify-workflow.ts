import type { GitHubClient } from '../github/client.ts';
import { fetchChangedFiles } from '../github/compare.ts';
import { fetchFileText } from '../github/contents.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { WorkflowRunInfo } from './workflow-run.ts';

/**
 * Forged reports: a pull request can edit the workflow that scans its image and upload a clean
 * report from it. So a run's reports count only when its workflow file is unchanged since the
 * run's commit left the branch whose policy gates it (a pull request's base, else the default
 * branch). A push to the default branch is that branch: it is not compared. A branch pushed
 * before its pull request opens is compared too, since the commit's check carries over to it.
 */
export async function workflowChangeProblem(
  octokit: GitHubClient,
  target: { owner: string; repo: string; run: WorkflowRunInfo; baseRef: string; defaultBranch: string },
): Promise<OutcomeProblem | undefined> {
  const { run, baseRef } = target;
  const isDefaultBranchPush = !run.isFromFork && run.pullRequests.length === 0 && run.headBranch === target.defaultBranch;
  if (isDefaultBranchPush) return undefined;
  const path = run.workflowPath;
  if (path === undefined) {
    return { kind: 'report', message: `${runName(run)} names no workflow file, so its reports cannot be traced to a reviewed workflow: they are not trusted` };
  }
  const changed = await fetchChangedFiles(octokit, { owner: target.owner, repo: target.repo, base: baseRef, head: run.headSha });
  if (changed.paths.has(path)) return changedProblem(run, path, baseRef);
  if (changed.isComplete) return undefined;
  // GitHub cut the list of files: compare the workflow itself where the commit left the base, and at the commit.
  const file = { owner: target.owner, repo: target.repo, path };
  const before = await fetchFileText(octokit, { ...file, ref: changed.mergeBaseSha ?? baseRef });
  const after = await fetchFileText(octokit, { ...file, ref: run.headSha });
  return before !== undefined && before === after ? undefined : changedProblem(run, path, baseRef);
}

function changedProblem(run: WorkflowRunInfo, path: string, baseRef: string): OutcomeProblem {
  return {
    kind: 'report',
    message:
      `${runName(run)} ran ${path} as this change edits it (it differs from ${baseRef}): a changed workflow could upload any report, ` +
      'so its reports cannot vouch for the image and were not read (settings.workflow_changes: untrusted). Change the workflow in a pull request of its own, ' +
      'merged by someone allowed to bypass the required check, then scan again; or set workflow_changes: trusted on the default branch',
  };
}

function runName(run: WorkflowRunInfo): string {
  return `Workflow run "${run.ref.name}" (#${run.ref.id})`;
}
