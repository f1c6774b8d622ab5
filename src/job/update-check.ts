import { upsertCheckRun, writePendingCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import { upsertPrComment } from '../github/comments.ts';
import type { Outcome } from '../model/outcome.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { renderCheckRun } from '../render/check-run.ts';
import { COMMENT_MARKER, renderPrComment } from '../render/pr-comment.ts';
import type { CheckState, PendingRun, RunContribution, Store } from '../store/store.ts';
import { isScanWorkflow } from '../policy/scan-workflows.ts';
import { updateCheckState } from '../store/store.ts';
import { buildOutcome } from './build-outcome.ts';
import { POLICY_FILE } from './load-policy.ts';
import { recordPolicyHistory } from './policy-history.ts';

/**
 * Stage 8, answer: one check run per commit that reflects every image judged for it so far,
 * across workflow runs (SPEC §4), and the sticky comment on its pull requests.
 */

export interface RecordContributionInput {
  octokit: GitHubClient;
  store: Store;
  owner: string;
  repo: string;
  sha: string;
  installationId: number;
  /** This GitHub App's ID: the sticky comment is the one this app wrote. */
  appId: number;
  /** The run (or package version) the contributions come from: they replace all of its earlier ones. */
  runId: number;
  /** The run's attempt: the run is no longer pending once an attempt this high is judged. */
  attempt?: number;
  /** One per branch whose policy judged the run (one, unless the commit heads pull requests into several branches). */
  contributions: RunContribution[];
  sources: string[];
  notes: string[];
  pullRequests: number[];
  settings: ResolvedSettings;
  now: Date;
}

/**
 * Merges a run's contributions into the commit's check state (they replace every earlier
 * contribution of the same run, under whichever base), marks the run no longer pending, then
 * writes the check run and the sticky comment from the merged outcome.
 */
export async function recordContribution(input: RecordContributionInput): Promise<CheckState> {
  const repository = `${input.owner}/${input.repo}`;
  const state = await updateCheckState(input.store, repository, input.sha, (current) => {
    const runs = Object.fromEntries(Object.entries(current?.runs ?? {}).filter(([, contribution]) => contribution.run.id !== input.runId));
    for (const contribution of input.contributions) runs[contributionKey(contribution, input.contributions.length > 1)] = contribution;
    return {
      ...(current ?? emptyState(repository, input.sha, input.installationId)),
      installationId: input.installationId,
      runs,
      pendingRuns: withoutJudged(current?.pendingRuns, input.runId, input.attempt),
      sources: input.sources,
      notes: union(current?.notes ?? [], input.notes),
      pullRequests: union(current?.pullRequests ?? [], input.pullRequests),
      updatedAt: input.now.toISOString(),
    };
  });
  return publishCheckState({ ...input, state });
}

/** `<run ID>`, or `<run ID>@<base>` for each base when the run is judged under several. */
function contributionKey(contribution: RunContribution, isOneOfSeveral: boolean): string {
  return isOneOfSeveral && contribution.policyRef !== undefined ? `${contribution.run.id}@${contribution.policyRef}` : String(contribution.run.id);
}

/** The pending runs without this one, unless a newer attempt of it started meanwhile. */
function withoutJudged(pending: CheckState['pendingRuns'], runId: number, attempt: number | undefined): CheckState['pendingRuns'] {
  if (pending === undefined) return undefined;
  const entry = pending[String(runId)];
  if (entry === undefined || (attempt !== undefined && entry.attempt > attempt)) return pending;
  const rest = { ...pending };
  delete rest[String(runId)];
  return rest;
}

/** How often a publish writes again because a concurrent job changed the commit's check meanwhile. */
export const MAX_PUBLISH_ROUNDS = 3;

export interface PublishInput {
  octokit: GitHubClient;
  store: Store;
  owner: string;
  repo: string;
  state: CheckState;
  settings: ResolvedSettings;
  now: Date;
  appId: number;
}

/**
 * Writes the check run and the comments for a state as it is stored now. Two jobs of one commit
 * can publish at once (two workflow runs finishing together): each one, after writing, reads the
 * stored state back and writes again while it differs from what it wrote, so the last write
 * always holds every run. A check run created by a job that lost the race to create the first is
 * kept in `otherCheckRunIds` and written with every publish: GitHub shows whichever is latest.
 */
export async function publishCheckState(input: PublishInput): Promise<CheckState> {
  const { settings, now } = input;
  const wasFailing = input.state.conclusion === 'failure';
  let state = input.state;
  let policyHistory: Outcome['policyHistory'];
  for (let round = 1; ; round++) {
    // While a scan workflow's run of the commit is still going, the check stays in progress: the
    // merge waits for the last scan, and the conclusion is computed once every run is judged.
    const waiting = waitedFor(state, settings);
    let isStray = false;
    if (waiting.length > 0) {
      state = await writeWaiting(input, state, waiting);
    } else {
      policyHistory ??= await recordPolicyHistory(input.store, state, buildOutcome(state, settings, now), now);
      const outcome = { ...buildOutcome(state, settings, now), policyHistory };
      const { checkRun, stored } = await writeCheckRun(input, state, outcome);
      isStray = checkRun.id !== stored.checkRunId;
      if (!isStray) {
        for (const other of stored.otherCheckRunIds ?? []) await writeCheckRun(input, { ...state, checkRunId: other }, outcome, { isStray: true });
        await writeComments(input, stored.pullRequests, outcome, checkRun.url, wasFailing);
      }
    }
    const latest = (await input.store.getCheckState(state.repository, state.sha))?.value ?? state;
    if (round >= MAX_PUBLISH_ROUNDS || (!isStray && contentKey(latest) === contentKey(state))) return latest;
    state = latest;
  }
}

/** The pending runs the check waits for: those of a workflow settings.scan_workflows lists. */
export function waitedFor(state: CheckState, settings: ResolvedSettings): PendingRun[] {
  return Object.values(state.pendingRuns ?? {}).filter((pending) => isScanWorkflow(settings, pending.workflow));
}

/**
 * The check while the commit waits for more runs: in progress, saying which runs it waits for and
 * what the runs judged so far say. No conclusion, no annotations and no comment until the last one.
 * A concluded check is replaced by a new check run (GitHub does not take one back to in progress).
 */
async function writeWaiting(input: PublishInput, state: CheckState, waiting: readonly PendingRun[]): Promise<CheckState> {
  const sofar = renderCheckRun(buildOutcome(state, input.settings, input.now), { now: input.now });
  const names = waiting.map((pending) => `"${pending.run.name}" (#${pending.run.id})`).join(', ');
  const output = {
    title: `Waiting for ${waiting.length} more workflow run${waiting.length === 1 ? '' : 's'}`,
    summary: `The check concludes once every scan of this commit is judged. Still running: ${names}.\n\nSo far: ${sofar.title}`,
  };
  const target = { owner: input.owner, repo: input.repo, sha: state.sha, name: input.settings.check_name, status: 'in_progress' as const, output };
  if (state.checkRunId !== undefined && state.isInProgress === true) {
    await writePendingCheckRun(input.octokit, { ...target, checkRunId: state.checkRunId });
    return state;
  }
  return reopenCheck(input.store, state, await writePendingCheckRun(input.octokit, target));
}

/**
 * Records a new in-progress check run that takes over from the completed one it saw (GitHub shows
 * the latest check run of a name). When another job reopened the check meanwhile, the new check
 * run is kept among `otherCheckRunIds` instead, and written with every publish.
 */
export async function reopenCheck(store: Store, seen: CheckState, checkRunId: number): Promise<CheckState> {
  return updateCheckState(store, seen.repository, seen.sha, (current) => {
    const base = current ?? seen;
    if (base.checkRunId !== seen.checkRunId) return { ...base, otherCheckRunIds: union(base.otherCheckRunIds ?? [], [checkRunId]) };
    const { otherCheckRunIds: _older, ...rest } = base;
    return { ...rest, checkRunId, isInProgress: true, annotationKeys: [] };
  });
}

async function writeComments(input: PublishInput, pullRequests: number[], outcome: Outcome, checkRunUrl: string, wasFailing: boolean): Promise<void> {
  const { settings, now } = input;
  if (settings.comment === 'never' || pullRequests.length === 0) return;
  const conclusion = renderCheckRun(outcome, { now }).conclusion;
  const body = renderPrComment(outcome, { now, checkRunUrl, policyFile: POLICY_FILE, wasFailing: wasFailing && conclusion !== 'failure' });
  for (const pullNumber of pullRequests) {
    await upsertPrComment(input.octokit, {
      owner: input.owner,
      repo: input.repo,
      pullNumber,
      appId: input.appId,
      marker: COMMENT_MARKER,
      body,
      // on-failure: a green pull request still gets its old comment edited, never a new one.
      isUpdateOnly: settings.comment === 'on-failure' && conclusion !== 'failure',
    });
  }
}

/**
 * One write of the check run (created when the state has none), then the record of it. Another
 * check run of ours (`otherCheckRunIds`) gets the same outcome without annotations, unrecorded.
 */
async function writeCheckRun(
  input: PublishInput,
  state: CheckState,
  outcome: Outcome,
  options: { isStray?: boolean } = {},
): Promise<{ checkRun: { id: number; url: string }; stored: CheckState }> {
  const rendered = renderCheckRun(outcome, { now: input.now });
  // GitHub appends the annotations of every update: send each one once per check run.
  const alreadySent = new Set(state.checkRunId === undefined ? [] : (state.annotationKeys ?? []));
  const annotations = options.isStray ? [] : rendered.annotations.filter((annotation) => !alreadySent.has(annotationKey(annotation)));
  const checkRun = await upsertCheckRun(input.octokit, {
    owner: input.owner,
    repo: input.repo,
    sha: state.sha,
    name: input.settings.check_name,
    ...(state.checkRunId === undefined ? {} : { checkRunId: state.checkRunId }),
    conclusion: rendered.conclusion,
    output: { title: rendered.title, summary: rendered.summary, ...(rendered.text ? { text: rendered.text } : {}), annotations },
    completedAt: input.now,
  });
  if (options.isStray) return { checkRun, stored: state };
  const stored = await rememberPublished(input.store, state, {
    checkRunId: checkRun.id,
    conclusion: rendered.conclusion,
    annotationKeys: annotations.map(annotationKey),
  });
  return { checkRun, stored };
}

/** What the check run shows depends on these: equal keys, equal check runs. */
function contentKey(state: CheckState): string {
  const runs = Object.entries(state.runs)
    .map(([id, run]) => [id, run.evaluatedAt, Object.keys(run.images).sort(), run.problems.map((problem) => problem.message)] as const)
    .sort(([a], [b]) => a.localeCompare(b));
  const pending = Object.keys(state.pendingRuns ?? {}).sort();
  return JSON.stringify({ runs, pending, sources: state.sources, notes: [...state.notes].sort(), pullRequests: [...state.pullRequests].sort((a, b) => a - b) });
}

/**
 * Records what was published: the first check run ID a commit got (a concurrent creator's ID is not
 * overwritten, but kept among `otherCheckRunIds`), the conclusion, and the annotations that check
 * run now has.
 */
export async function rememberPublished(
  store: Store,
  state: CheckState,
  published: { checkRunId: number; conclusion: CheckState['conclusion']; annotationKeys: string[] },
): Promise<CheckState> {
  return updateCheckState(store, state.repository, state.sha, (current) => {
    const base = current ?? state;
    const isSameRun = base.checkRunId === undefined || base.checkRunId === published.checkRunId;
    if (!isSameRun) return { ...base, otherCheckRunIds: union(base.otherCheckRunIds ?? [], [published.checkRunId]) };
    const sent = base.checkRunId === undefined ? [] : (base.annotationKeys ?? []);
    return {
      ...base,
      checkRunId: published.checkRunId,
      // A pending check run (no conclusion yet) keeps the last conclusion the commit had.
      ...(published.conclusion === undefined ? { isInProgress: true } : { conclusion: published.conclusion, isInProgress: false }),
      annotationKeys: union(sent, published.annotationKeys),
    };
  });
}

function annotationKey(annotation: { path: string; start_line: number; title?: string; message: string }): string {
  return `${annotation.path}:${annotation.start_line}:${annotation.title ?? ''}:${annotation.message}`;
}

/** The state with a pull request's base as its latest event says (CheckState.pullRequestBases). */
export function withPullRequestBase(state: CheckState, pull: { number: number; baseRef: string }): CheckState {
  return { ...state, pullRequestBases: { ...state.pullRequestBases, [String(pull.number)]: pull.baseRef } };
}

export function emptyState(repository: string, sha: string, installationId: number): CheckState {
  return { repository, sha, installationId, runs: {}, sources: [], notes: [], pullRequests: [], updatedAt: new Date(0).toISOString() };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}
