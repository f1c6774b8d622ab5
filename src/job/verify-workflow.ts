import type { GitHubClient } from '../github/client.ts';
import { fetchChangedFiles } from '../github/compare.ts';
import type { CompareStatus } from '../github/compare.ts';
import { fetchFileText } from '../github/contents.ts';
import { matchesAnyGlob } from '../model/glob.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { WorkflowRunInfo } from './workflow-run.ts';

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
export async function workflowChangeProblem(
  octokit: GitHubClient,
  target: {
    owner: string;
    repo: string;
    run: WorkflowRunInfo;
    baseRef: string;
    /** `settings.workflow_changes === 'untrusted'`: the run's own workflow file must be unchanged. */
    isWorkflowChecked: boolean;
    /** `settings.protected_paths`: globs of other files the scan depends on, which must be unchanged too. */
    protectedPaths: readonly string[];
  },
): Promise<OutcomeProblem | undefined> {
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
      'so its reports cannot vouch for the image and were not read (settings.workflow_changes: untrusted). Change the workflow in a pull request of its own, ' +
      'merged by someone allowed to bypass the required check, then scan again; or set workflow_changes: trusted on the default branch',
  };
}

function runName(run: WorkflowRunInfo): string {
  return `Workflow run "${run.ref.name}" (#${run.ref.id})`;
}
