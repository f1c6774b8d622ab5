import { upsertCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import { upsertPrComment } from '../github/comments.ts';
import type { Outcome, OutcomeProblem } from '../model/outcome.ts';
import type { ImageVerdict } from '../model/verdict.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { renderCheckRun } from '../render/check-run.ts';
import { COMMENT_MARKER, renderPrComment } from '../render/pr-comment.ts';
import type { CheckState, RunContribution, Store } from '../store/store.ts';
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
  contribution: RunContribution;
  sources: string[];
  notes: string[];
  pullRequests: number[];
  settings: ResolvedSettings;
  now: Date;
}

/**
 * Merges the contribution into the commit's check state (a re-run of the same run replaces its
 * part), then writes the check run and the sticky comment from the merged outcome.
 */
export async function recordContribution(input: RecordContributionInput): Promise<CheckState> {
  const repository = `${input.owner}/${input.repo}`;
  const state = await updateCheckState(input.store, repository, input.sha, (current) => ({
    ...(current ?? emptyState(repository, input.sha, input.installationId)),
    installationId: input.installationId,
    runs: { ...current?.runs, [String(input.contribution.run.id)]: input.contribution },
    sources: input.sources,
    notes: union(current?.notes ?? [], input.notes),
    pullRequests: union(current?.pullRequests ?? [], input.pullRequests),
    updatedAt: input.now.toISOString(),
  }));
  return publishCheckState({ ...input, state });
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
  const policyHistory = await recordPolicyHistory(input.store, state, buildOutcome(state, settings, now), now);
  for (let round = 1; ; round++) {
    const outcome = { ...buildOutcome(state, settings, now), policyHistory };
    const { checkRun, stored } = await writeCheckRun(input, state, outcome);
    const isStray = checkRun.id !== stored.checkRunId;
    if (!isStray) {
      for (const other of stored.otherCheckRunIds ?? []) await writeCheckRun(input, { ...state, checkRunId: other }, outcome, { isStray: true });
      await writeComments(input, stored.pullRequests, outcome, checkRun.url, wasFailing);
    }
    const latest = (await input.store.getCheckState(stored.repository, stored.sha))?.value ?? stored;
    if (round >= MAX_PUBLISH_ROUNDS || (!isStray && contentKey(latest) === contentKey(state))) return latest;
    state = latest;
  }
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
  return JSON.stringify({ runs, sources: state.sources, notes: [...state.notes].sort(), pullRequests: [...state.pullRequests].sort((a, b) => a - b) });
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
      conclusion: published.conclusion,
      annotationKeys: union(sent, published.annotationKeys),
    };
  });
}

function annotationKey(annotation: { path: string; start_line: number; title?: string; message: string }): string {
  return `${annotation.path}:${annotation.start_line}:${annotation.title ?? ''}:${annotation.message}`;
}

export function emptyState(repository: string, sha: string, installationId: number): CheckState {
  return { repository, sha, installationId, runs: {}, sources: [], notes: [], pullRequests: [], updatedAt: new Date(0).toISOString() };
}

function union<T>(a: readonly T[], b: readonly T[]): T[] {
  return [...new Set([...a, ...b])];
}
