import type { Logger } from 'probot';
import { postPendingCheckRun, writeInProgressCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import type { PendingRun, Store } from '../store/store.ts';
import { isScanWorkflow } from '../policy/scan-workflows.ts';
import { updateCheckState } from '../store/store.ts';
import type { PolicyReader } from './policy-reader.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';
import { emptyState, publishCheckState, rememberPublished, reopenCheck } from './update-check.ts';
import { policyRefsOf, withKnownBases } from './workflow-run.ts';

export interface MarkPendingInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  sha: string;
  status: 'queued' | 'in_progress';
  /** The branch whose policy names the check: a pull request's base, else the default branch. */
  policyRef: string;
  pullRequests: number[];
  /** The job's policy reader: the check's name comes from the policy that will judge the commit. */
  policies: PolicyReader;
  /** A pull request event's pull request and its base as the event says (a base change included). */
  pullRequestBase?: { number: number; baseRef: string };
  detailsUrl?: string;
  now: Date;
  log: Logger;
  /**
   * Judges the commit's runs again instead of carrying their verdicts over to a pull request
   * that joins an already judged commit (its base's policy may differ from the one that judged them).
   */
  rejudge?: () => Promise<void>;
}

/**
 * Makes the commit's check exist early (queued or in progress), so a required check blocks the
 * merge before any scan finished. A commit that already has its check keeps it as it is; a pull
 * request that opens on a commit already judged gets its comment.
 */
export async function markCheckPending(input: MarkPendingInput): Promise<void> {
  const { octokit, store, target, sha, now } = input;
  const repository = `${target.owner}/${target.repo}`;
  // 1. Nothing to do when the commit has its check and knows its pull requests (no GitHub call).
  const before = await store.getCheckState(repository, sha);
  const hasKnownPullRequests = input.pullRequests.every((number) => before?.value.pullRequests.includes(number));
  const pr = input.pullRequestBase;
  const hasKnownBase = pr === undefined || before?.value.pullRequestBases?.[String(pr.number)] === pr.baseRef;
  if (before?.value.checkRunId !== undefined && hasKnownPullRequests && hasKnownBase) return;
  // 2. The check's name comes from the policy that will judge the commit.
  const policy = await input.policies.load(input.policyRef);
  // 3. Remember the commit and its pull requests.
  const state = await updateCheckState(store, repository, sha, (current) => {
    const base = current ?? { ...emptyState(repository, sha, target.installationId), updatedAt: now.toISOString() };
    return {
      ...base,
      installationId: target.installationId,
      pullRequests: [...new Set([...base.pullRequests, ...input.pullRequests])],
      ...(input.pullRequestBase ? { pullRequestBases: { ...base.pullRequestBases, [String(input.pullRequestBase.number)]: input.pullRequestBase.baseRef } } : {}),
    };
  });
  // 4. Create the pending check once; a commit judged already only gets its new pull requests' comments.
  if (state.checkRunId === undefined) {
    const checkRunId = await postPendingCheckRun(octokit, {
      owner: target.owner,
      repo: target.repo,
      sha,
      name: policy.settings.check_name,
      status: input.status,
      ...(input.detailsUrl ? { detailsUrl: input.detailsUrl } : {}),
    });
    await rememberPublished(store, state, { checkRunId, conclusion: undefined, annotationKeys: [] });
    return;
  }
  const hasNewPullRequest = state.pullRequests.length > (before?.value.pullRequests.length ?? 0);
  const judgedRuns = Object.values(state.runs).filter((contribution) => contribution.workflow !== undefined || contribution.policyRef !== undefined);
  // A pull request whose base the commit's runs were not judged under (a new one, or one whose base
  // changed) has them judged again under every base's policy: its base's policy may be stricter.
  const isBaseChange = pr !== undefined && before?.value.pullRequestBases?.[String(pr.number)] !== undefined && !hasKnownBase;
  const isNewBase = pr !== undefined && !judgedRuns.some((contribution) => contribution.policyRef === pr.baseRef && contribution.branch === pr.baseRef);
  if (judgedRuns.length > 0 && (isBaseChange || (isNewBase && !hasKnownBase)) && input.rejudge) return input.rejudge();
  if (Object.keys(state.runs).length > 0 && (hasNewPullRequest || !hasKnownBase)) {
    await publishCheckState({ octokit, store, owner: target.owner, repo: target.repo, state, settings: policy.settings, now, appId: target.appId });
  }
}

export interface MarkRunPendingInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  run: WorkflowRunInfo;
  status: 'queued' | 'in_progress';
  /** The job's policy reader: the check's name and the scan workflows come from the policy that will judge the commit. */
  policies: PolicyReader;
  now: Date;
  log: Logger;
}

/**
 * workflow_run requested / in progress: the run is remembered as pending, and the commit's check
 * is (again) in progress until every scan workflow's run is judged: a check that concluded
 * already is replaced by a new one in progress (GitHub does not take a completed check run back).
 * A late start of a run whose attempt was judged already changes nothing.
 */
export async function markRunPending(input: MarkRunPendingInput): Promise<void> {
  const { octokit, store, target, run, now } = input;
  const repository = `${target.owner}/${target.repo}`;
  // 1. Remember the run as pending (unless this attempt, or a later one, was judged already).
  const pullRequests = run.pullRequests.map((pr) => pr.number);
  let isLate = false;
  const state = await updateCheckState(store, repository, run.headSha, (current) => {
    const base = current ?? { ...emptyState(repository, run.headSha, target.installationId), updatedAt: now.toISOString() };
    isLate = Object.values(base.runs).some((judged) => judged.run.id === run.ref.id && (judged.attempt ?? 1) >= run.attempt);
    if (isLate) return base;
    const pending: PendingRun = { run: run.ref, attempt: run.attempt, ...(run.workflowPath === undefined ? {} : { workflow: run.workflowPath }), since: now.toISOString() };
    return {
      ...base,
      installationId: target.installationId,
      pendingRuns: { ...base.pendingRuns, [String(run.ref.id)]: pending },
      pullRequests: [...new Set([...base.pullRequests, ...pullRequests])],
    };
  });
  if (isLate) return input.log.info({ runId: run.ref.id, attempt: run.attempt }, 'start of a run that was judged already: ignored');
  // 2. A check that is waiting already needs nothing from GitHub.
  if (state.checkRunId !== undefined && state.isInProgress === true) return;
  // 3. The check's name, and which workflows are scans, come from the policy that will judge the commit.
  const { primary } = policyRefsOf(withKnownBases(run, state.pullRequestBases), target.defaultBranch);
  const policy = await input.policies.load(primary);
  const detailsUrl = run.ref.url ? { detailsUrl: run.ref.url } : {};
  // 4. A commit without its check gets it now, queued or in progress.
  if (state.checkRunId === undefined) {
    const checkRunId = await postPendingCheckRun(octokit, { owner: target.owner, repo: target.repo, sha: run.headSha, name: policy.settings.check_name, status: input.status, ...detailsUrl });
    await rememberPublished(store, state, { checkRunId, conclusion: undefined, annotationKeys: [] });
    return;
  }
  // 5. A concluded check goes back to in progress for a scan workflow's run (another workflow, a test or a lint, does not hold it).
  if (!isScanWorkflow(policy.settings, run.workflowPath)) return;
  const checkRunId = await writeInProgressCheckRun(octokit, {
    owner: target.owner,
    repo: target.repo,
    sha: run.headSha,
    name: policy.settings.check_name,
    output: { title: 'Waiting for image scans', summary: `Workflow run "${run.ref.name}" (#${run.ref.id}) started: the check concludes once every scan of this commit is judged.` },
    ...detailsUrl,
  });
  await reopenCheck(store, state, checkRunId);
}
