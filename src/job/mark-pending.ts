import type { Logger } from 'probot';
import { writePendingCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import type { CheckState, PendingRun, Store } from '../store/store.ts';
import { isScanWorkflow } from '../policy/scan-workflows.ts';
import { updateCheckState } from '../store/store.ts';
import type { PolicyReader } from './policy-reader.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import type { WorkflowRunInfo } from '../events/workflow-run.ts';
import { emptyState, publishCheckState, rememberPublished, reopenCheck, withPullRequestBase } from './update-check.ts';
import { policyRefsOf, withKnownBases } from './workflow-run.ts';

export interface MarkPendingInput {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  sha: string;
  /** The pull request and its base as the event says (a base change included): the base's policy names the check. */
  pull: { number: number; baseRef: string };
  /** The job's policy reader: the check's name comes from the policy that will judge the commit. */
  policies: PolicyReader;
  now: Date;
  log: Logger;
  /**
   * Judges the commit's runs again instead of carrying their verdicts over to a pull request
   * whose base they were not judged under (its base's policy may differ from the ones that judged them).
   */
  rejudge: () => Promise<void>;
}

/**
 * pull_request: makes the commit's check exist early (queued), so a required check blocks the
 * merge before any scan finished, and remembers the pull request's base. A commit judged already
 * under that base carries its verdict over (the pull request gets its comment); a new base, or a
 * changed one, has the commit's runs judged again under every base's policy.
 */
export async function markCheckPending(input: MarkPendingInput): Promise<void> {
  const { octokit, store, target, sha, pull, now } = input;
  const repository = `${target.owner}/${target.repo}`;
  // 1. Nothing to do when the commit has its check and knows the pull request with this base (no GitHub call).
  const before = (await store.getCheckState(repository, sha))?.value;
  const recordedBase = before?.pullRequestBases?.[String(pull.number)];
  const isKnown = before?.pullRequests.includes(pull.number) === true && recordedBase === pull.baseRef;
  if (before?.checkRunId !== undefined && isKnown) return;
  // 2. The check's name comes from the policy that will judge the commit.
  const policy = await input.policies.load(pull.baseRef);
  // 3. Remember the pull request and its base.
  const state = await updateCheckState(store, repository, sha, (current) => {
    const base = current ?? { ...emptyState(repository, sha, target.installationId), updatedAt: now.toISOString() };
    return withPullRequestBase({ ...base, installationId: target.installationId, pullRequests: [...new Set([...base.pullRequests, pull.number])] }, pull);
  });
  // 4. Create the pending check once.
  if (state.checkRunId === undefined) return createPendingCheck(input, state, { name: policy.settings.check_name, status: 'queued' });
  // 5. Runs judged already: judged again when the base changed or they were never judged as a pull
  //    request into it (its policy may be stricter); else carried over, with the new comment.
  const judged = Object.values(state.runs).filter((contribution) => contribution.policyRef !== undefined);
  const isJudgedUnderBase = judged.some((contribution) => contribution.policyRef === pull.baseRef && contribution.branch === pull.baseRef);
  if (judged.length > 0 && (recordedBase !== undefined || !isJudgedUnderBase)) return input.rejudge();
  if (Object.keys(state.runs).length > 0) {
    await publishCheckState({ octokit, store, owner: target.owner, repo: target.repo, state, settings: policy.settings, now, appId: target.appId });
  }
}

/** Creates the commit's first check run, queued or in progress, and records it. */
async function createPendingCheck(
  input: { octokit: GitHubClient; store: Store; target: RepoTarget },
  state: CheckState,
  check: { name: string; status: 'queued' | 'in_progress'; detailsUrl?: string },
): Promise<void> {
  const { target } = input;
  const checkRunId = await writePendingCheckRun(input.octokit, { owner: target.owner, repo: target.repo, sha: state.sha, ...check });
  await rememberPublished(input.store, state, { checkRunId, conclusion: undefined, annotationKeys: [] });
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
  if (state.checkRunId === undefined) return createPendingCheck(input, state, { name: policy.settings.check_name, status: input.status, ...detailsUrl });
  // 5. A concluded check goes back to in progress for a scan workflow's run (another workflow, a test or a lint, does not hold it).
  if (!isScanWorkflow(policy.settings, run.workflowPath)) return;
  const checkRunId = await writePendingCheckRun(octokit, {
    status: 'in_progress',
    owner: target.owner,
    repo: target.repo,
    sha: run.headSha,
    name: policy.settings.check_name,
    output: { title: 'Waiting for image scans', summary: `Workflow run "${run.ref.name}" (#${run.ref.id}) started: the check concludes once every scan of this commit is judged.` },
    ...detailsUrl,
  });
  await reopenCheck(store, state, checkRunId);
}
