import { z } from 'zod';
import { HANDLED_EVENTS } from './handled-events.ts';
import { accepted, CommitSha, type EventRead } from './read.ts';
import { readTargetedEvent, type RepoTarget } from './repo-target.ts';

/** A pull request as a `pull_request` or `pull_request_review` event names it. */
export interface PullRequestRef {
  number: number;
  headSha: string;
  baseRef: string;
}

export interface PullRequestEvent {
  target: RepoTarget;
  action: (typeof HANDLED_EVENTS.pull_request)[number];
  pull: PullRequestRef;
}

export interface ReviewEvent {
  target: RepoTarget;
  action: (typeof HANDLED_EVENTS.pull_request_review)[number];
  pull: PullRequestRef;
}

const PullRequest = z
  .object({ number: z.number(), head: z.object({ sha: CommitSha }), base: z.object({ ref: z.string() }) })
  .transform((pull): PullRequestRef => ({ number: pull.number, headSha: pull.head.sha, baseRef: pull.base.ref }));

const PullRequestPayload = z.object({ action: z.enum(HANDLED_EVENTS.pull_request), pull_request: PullRequest });
const ReviewPayload = z.object({ action: z.enum(HANDLED_EVENTS.pull_request_review), pull_request: PullRequest });

/** `pull_request` opened / synchronize / reopened: the repository and the pull request. */
export function readPullRequestEvent(payload: unknown, appId: number): EventRead<PullRequestEvent> {
  const read = readTargetedEvent(PullRequestPayload, payload, appId, 'pull_request');
  return read.ok ? accepted({ target: read.value.target, action: read.value.event.action, pull: read.value.event.pull_request }) : read;
}

/** `pull_request_review` submitted / dismissed: the repository and the reviewed pull request. */
export function readReviewEvent(payload: unknown, appId: number): EventRead<ReviewEvent> {
  const read = readTargetedEvent(ReviewPayload, payload, appId, 'pull_request_review');
  return read.ok ? accepted({ target: read.value.target, action: read.value.event.action, pull: read.value.event.pull_request }) : read;
}
