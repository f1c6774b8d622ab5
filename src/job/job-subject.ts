import { readCheckEvent } from '../events/check.ts';
import type { HandledEvent } from '../events/handled-events.ts';
import { readPackageEvent } from '../events/package.ts';
import { type PullRequestRef, readPullRequestEvent, readReviewEvent } from '../events/pull-request.ts';
import type { EventRead } from '../events/read.ts';
import type { RepoTarget } from '../events/repo-target.ts';
import { readWorkflowRunEvent } from '../events/workflow-run.ts';
import type { RunRef } from '../model/outcome.ts';
import type { Job } from '../store/store.ts';
import { pullNumbers } from './evaluate-run.ts';

/**
 * The commit a job answers on, read from its stored payload without asking GitHub: what a job
 * that did not finish (out of time, memory or retries) marks as failing. Undefined for a job that
 * answers on no commit, or one its orchestrator ignores (another app's check, another
 * repository's run, a package that is no container or names no commit): nothing was promised there.
 */
export interface JobSubject {
  target: RepoTarget;
  sha: string;
  /** The workflow run (or package version) whose contribution the failure replaces. */
  run?: RunRef;
  /** The workflow run's attempt: its failure ends the check's wait for that attempt. */
  attempt?: number;
  pullRequests: number[];
}

type SubjectReader = (payload: unknown, appId: number) => JobSubject | undefined;

/** Each handled event's subject, read by that event's payload reader. */
const SUBJECTS: { readonly [E in HandledEvent]: SubjectReader } = {
  workflow_run: (payload, appId) => {
    const event = readWorkflowRunEvent(payload, appId);
    if (!event.ok) return undefined;
    const { target, run } = event.value;
    return { target, sha: run.headSha, run: run.ref, attempt: run.attempt, pullRequests: pullNumbers(run) };
  },
  pull_request: (payload, appId) => pullRequestSubject(readPullRequestEvent(payload, appId)),
  // A review re-judges a commit judged before: one that dies there must not leave the earlier conclusion.
  pull_request_review: (payload, appId) => pullRequestSubject(readReviewEvent(payload, appId)),
  check_run: readCheckSubject,
  check_suite: readCheckSubject,
  registry_package: readPackageSubject,
  package: readPackageSubject,
};

export function readJobSubject(job: Pick<Job, 'event' | 'payload'>, appId: number): JobSubject | undefined {
  if (!Object.hasOwn(SUBJECTS, job.event)) return undefined;
  return SUBJECTS[job.event as HandledEvent](job.payload, appId);
}

/** A pull request's head commit. */
function pullRequestSubject(event: EventRead<{ target: RepoTarget; pull: PullRequestRef }>): JobSubject | undefined {
  return event.ok ? { target: event.value.target, sha: event.value.pull.headSha, pullRequests: [event.value.pull.number] } : undefined;
}

function readCheckSubject(payload: unknown, appId: number): JobSubject | undefined {
  const event = readCheckEvent(payload, appId);
  return event.ok ? { target: event.value.target, sha: event.value.headSha, pullRequests: event.value.pullRequests } : undefined;
}

function readPackageSubject(payload: unknown, appId: number): JobSubject | undefined {
  const event = readPackageEvent(payload, appId);
  if (!event.ok || event.value.sha === undefined) return undefined;
  return { target: event.value.target, sha: event.value.sha, run: event.value.run, pullRequests: [] };
}
