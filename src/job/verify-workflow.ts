import type { GitHubClient } from '../github/client.ts';
import { fetchChangedFiles } from '../github/compare.ts';
import type { CompareStatus } from '../github/compare.ts';
import { fetchFileText } from '../github/contents.ts';
import { fetchPullRequestReviews, hasWriteAccess } from '../github/reviews.ts';
import { matchesAnyGlob } from '../model/glob.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';

/**
 * Forged reports: a pull request can edit the workflow that scans its image and upload a clean
 * report from it. So a run's reports count only when its workflow file is unchanged since the
 * run's commit left the branch whose policy gates it (a pull request's base, else the default
 * branch). A branch pushed before its pull request opens is compared too, since the commit's
 * check carries over to it.
 *
 * No run is trusted by its branch name: `head_branch` is also the name of a tag (a tag `main`
 * pushed from any commit), so a run counts as "on the base branch" only when GitHub's comparison
 * says its commit is there (`identical` or `behind`). Everything else is compared like any change,
 * and a comparison that cannot be had fails the run (the error reaches the final guard).
 */
export interface WorkflowTrustTarget {
  owner: string;
  repo: string;
  run: WorkflowRunInfo;
  baseRef: string;
  /** `settings.workflow_changes` other than `trusted`: the run's own workflow file must be unchanged (or reviewed). */
  isWorkflowChecked: boolean;
  /**
   * `settings.workflow_changes: reviewed`: a change to the workflow or a protected path is
   * accepted once the pull request's head commit, which the run scanned, has an approving review
   * from someone with write access who is not the pull request's author.
   */
  isReviewEnough?: boolean;
  /** `settings.protected_paths`: globs of other files the scan depends on, which must be unchanged too. */
  protectedPaths: readonly string[];
}

export async function workflowChangeProblem(octokit: GitHubClient, target: WorkflowTrustTarget): Promise<OutcomeProblem | undefined> {
  const problem = await unreviewedChangeProblem(octokit, target);
  if (!problem || !target.isReviewEnough || target.run.workflowPath === undefined) return problem;
  const pull = target.run.pullRequests.find((pr) => pr.baseRef === target.baseRef);
  if (!pull) return { kind: 'report', message: `No pull request into ${target.baseRef} to approve (settings.workflow_changes: reviewed): ${problem.message}` };
  const approver = await findWriterApproval(octokit, { owner: target.owner, repo: target.repo, pullNumber: pull.number, headSha: target.run.headSha });
  if (approver !== undefined) return undefined;
  return {
    kind: 'report',
    message:
      `Not approved yet (settings.workflow_changes: reviewed): the reports count once someone with write access who is not the author of pull request #${pull.number} ` +
      `approves its head commit ${target.run.headSha.slice(0, 7)}, which judges them again. ${problem.message}`,
  };
}

/**
 * A reviewer whose latest review approves `headSha`, which is still the pull request's head, who
 * is not its author and can push to the repository; undefined when there is none.
 */
async function findWriterApproval(octokit: GitHubClient, target: { owner: string; repo: string; pullNumber: number; headSha: string }): Promise<string | undefined> {
  const reviews = await fetchPullRequestReviews(octokit, target);
  if (reviews.headSha !== target.headSha) return undefined;
  const approvers = reviews.latest.filter((review) => review.state === 'APPROVED' && review.commitId === target.headSha && review.login.toLowerCase() !== reviews.author.toLowerCase());
  for (const approver of approvers) {
    if (await hasWriteAccess(octokit, { owner: target.owner, repo: target.repo, username: approver.login })) return approver.login;
  }
  return undefined;
}

async function unreviewedChangeProblem(octokit: GitHubClient, target: WorkflowTrustTarget): Promise<OutcomeProblem | undefined> {
  const { run, baseRef } = target;
  if (!target.isWorkflowChecked && target.protectedPaths.length === 0) return undefined;
  const path = run.workflowPath;
  if (target.isWorkflowChecked && path === undefined) {
    return { kind: 'report', message: `${runName(run)} names no workflow file, so its reports cannot be traced to a reviewed workflow: they are not trusted` };
  }
  const changed = await fetchChangedFiles(octokit, { owner: target.owner, repo: target.repo, base: baseRef, head: run.headSha });
  // The commit is on the base branch already (a push to it, or a commit merged since): nothing changed.
  if (isOnBase(changed.status)) return undefined;
  if (target.isWorkflowChecked && path !== undefined && changed.paths.has(path)) return changedProblem(run, path, baseRef);
  const touched = [...changed.paths].filter((changedPath) => matchesAnyGlob(changedPath, target.protectedPaths));
  if (touched.length > 0) return protectedProblem(run, touched, baseRef);
  if (changed.isComplete) return undefined;
  // GitHub cut the list of files: a protected path among the rest cannot be ruled out (fail closed).
  if (target.protectedPaths.length > 0) {
    return {
      kind: 'report',
      message: `${runName(run)}: this change edits more files than GitHub lists, so it cannot be verified that it leaves settings.protected_paths unchanged: its reports were not read`,
    };
  }
  if (path === undefined) return undefined;
  // Compare the workflow itself where the commit left the base, and at the commit.
  const file = { owner: target.owner, repo: target.repo, path };
  const before = await fetchFileText(octokit, { ...file, ref: changed.mergeBaseSha ?? baseRef });
  const after = await fetchFileText(octokit, { ...file, ref: run.headSha });
  return before !== undefined && before === after ? undefined : changedProblem(run, path, baseRef);
}

function isOnBase(status: CompareStatus): boolean {
  return status === 'identical' || status === 'behind';
}

function protectedProblem(run: WorkflowRunInfo, paths: readonly string[], baseRef: string): OutcomeProblem {
  const named = paths.length > 3 ? `${paths.slice(0, 3).join(', ')} and ${paths.length - 3} more` : paths.join(', ');
  return {
    kind: 'report',
    message:
      `${runName(run)} ran from a change that edits ${named} (settings.protected_paths, compared with ${baseRef}): the scan depends on ` +
      `${paths.length === 1 ? 'it' : 'them'}, so its reports cannot vouch for the image and were not read. Change ${paths.length === 1 ? 'it' : 'them'} in a pull request of its own, ` +
      'merged by someone allowed to bypass the required check, then scan again',
  };
}

function changedProblem(run: WorkflowRunInfo, path: string, baseRef: string): OutcomeProblem {
  return {
    kind: 'report',
    message:
      `${runName(run)} ran ${path} as this change edits it (it differs from ${baseRef}): a changed workflow could upload any report, ` +
      'so its reports cannot vouch for the image and were not read (settings.workflow_changes). Change the workflow in a pull request of its own, ' +
      'merged by someone allowed to bypass the required check, then scan again; or set workflow_changes: reviewed (an approval by a writer lets them count) or trusted on the default branch',
  };
}

function runName(run: WorkflowRunInfo): string {
  return `Workflow run "${run.ref.name}" (#${run.ref.id})`;
}
