import type { Logger } from 'probot';
import { upsertCheckRun } from '../github/check-runs.ts';
import type { GitHubClient } from '../github/client.ts';
import { statusOf } from '../github/client.ts';
import type { Outcome, RunRef } from '../model/outcome.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { defaultSettings } from '../policy/schema.ts';
import { renderCheckRun } from '../render/check-run.ts';
import type { CheckState, Store, Versioned } from '../store/store.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { recordContribution, rememberPublished } from './update-check.ts';

/**
 * The last stage of every orchestrator: whatever stopped an evaluation ends in a completed,
 * failing check run (problem kind `internal`) that says what failed, never in a check stuck in
 * progress. A run's failure is stored as that run's contribution, so it stays until the run is
 * judged again; when even the store fails, the check run is written directly.
 */
export interface GuardTarget {
  octokit: GitHubClient;
  store: Store;
  target: RepoTarget;
  sha: string;
  run?: RunRef;
  /** The run's attempt: its failure ends the wait for that attempt. */
  attempt?: number;
  pullRequests: number[];
  /** The settings, once the policy is known (for the check's name). */
  settings?: () => ResolvedSettings | undefined;
  now: Date;
  log: Logger;
}

export async function withFinalGuard(guard: GuardTarget, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    guard.log.error({ err: error, repository: `${guard.target.owner}/${guard.target.repo}`, sha: guard.sha, runId: guard.run?.id }, 'evaluation failed');
    await reportInternalFailure(guard, didNotFinishMessage(describeError(error)), error);
  }
}

/**
 * For a job that was stopped from outside (its deadline, or dead-lettered after running out of
 * time, memory or retries): the same completed failing check the guard writes, saying why.
 */
export async function reportDidNotFinish(guard: GuardTarget, reason: string): Promise<void> {
  await reportInternalFailure(guard, didNotFinishMessage(reason), new Error(reason));
}

function didNotFinishMessage(reason: string): string {
  return `The evaluation did not finish: ${reason}. Re-run the check to try again.`;
}

async function reportInternalFailure(guard: GuardTarget, message: string, error: unknown): Promise<void> {
  const settings = guard.settings?.() ?? defaultSettings();
  const { octokit, store, target, sha, now } = guard;
  try {
    if (guard.run) {
      const current = await store.getCheckState(`${target.owner}/${target.repo}`, sha);
      await recordContribution({
        octokit,
        store,
        owner: target.owner,
        repo: target.repo,
        sha,
        installationId: target.installationId,
        appId: target.appId,
        runId: guard.run.id,
        ...(guard.attempt === undefined ? {} : { attempt: guard.attempt }),
        contributions: [{ run: guard.run, images: {}, problems: [{ kind: 'internal', message }], evaluatedAt: now.toISOString(), ...(guard.attempt === undefined ? {} : { attempt: guard.attempt }) }],
        sources: current?.value.sources ?? [],
        notes: [],
        pullRequests: guard.pullRequests,
        settings,
        now,
      });
      return;
    }
  } catch (recordError) {
    guard.log.error({ err: recordError }, 'could not record the failure in the check state');
  }
  try {
    const current = await readStateForFallback(guard);
    const outcome: Outcome = {
      verdict: { allowed: false, evaluated_at: now.toISOString(), context: {}, sources: current?.value.sources ?? [], images: [] },
      problems: [{ kind: 'internal', message }],
      notes: [],
      runs: guard.run ? [guard.run] : [],
    };
    const rendered = renderCheckRun(outcome, { now });
    const checkRunId = current?.value.checkRunId;
    const written = await upsertCheckRun(octokit, {
      owner: target.owner,
      repo: target.repo,
      sha,
      name: settings.check_name,
      ...(checkRunId === undefined ? {} : { checkRunId }),
      conclusion: 'failure',
      output: { title: rendered.title, summary: rendered.summary, annotations: [] },
      completedAt: now,
    });
    for (const other of current?.value.otherCheckRunIds ?? []) {
      await upsertCheckRun(octokit, { owner: target.owner, repo: target.repo, sha, name: settings.check_name, checkRunId: other, conclusion: 'failure', output: { title: rendered.title, summary: rendered.summary, annotations: [] }, completedAt: now });
    }
    if (current) await rememberPublished(store, current.value, { checkRunId: written.id, conclusion: 'failure', annotationKeys: [] });
  } catch (lastError) {
    throw new AggregateError([error, lastError], `${message} Writing the failing check run failed too.`);
  }
}

/** The stored state, if the store still answers: the last resort works without it. */
async function readStateForFallback(guard: GuardTarget): Promise<Versioned<CheckState> | undefined> {
  try {
    return await guard.store.getCheckState(`${guard.target.owner}/${guard.target.repo}`, guard.sha);
  } catch (error) {
    guard.log.error({ err: error }, 'could not read the check state; writing a new check run');
    return undefined;
  }
}

/** What failed, in one line: each layer's message and the HTTP status, never a stack trace. */
export function describeError(error: unknown): string {
  const parts: string[] = [];
  let current: unknown = error;
  for (let depth = 0; depth < 4 && current !== undefined; depth++) {
    if (current instanceof Error) {
      const line = current.message.split('\n')[0] ?? '';
      if (!parts.some((part) => part.includes(line))) parts.push(line);
      current = current.cause;
    } else {
      parts.push(String(current));
      current = undefined;
    }
  }
  const status = statusOf(error);
  return parts.join(': ') + (status !== undefined && !parts.join('').includes(String(status)) ? ` (HTTP ${status})` : '');
}
