import { z } from 'zod';
import { HANDLED_EVENTS } from './handled-events.ts';
import { accepted, CommitSha, type EventRead, ignored } from './read.ts';
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
  /** `edited` that changed the base: the base it had before (`changes.base.ref.from`), when the payload says. */
  baseChangedFrom?: string;
}

export interface ReviewEvent {
  target: RepoTarget;
  action: (typeof HANDLED_EVENTS.pull_request_review)[number];
  pull: PullRequestRef;
}

const PullRequest = z
  .object({ number: z.number(), head: z.object({ sha: CommitSha }), base: z.object({ ref: z.string() }) })
  .transform((pull): PullRequestRef => ({ number: pull.number, headSha: pull.head.sha, baseRef: pull.base.ref }));

/**
 * What an `edited` event changed; only a base change matters here (a title or body edit does not).
 * A `base` entry counts as a change even when its `ref.from` can't be read (fail closed: re-judge).
 */
const Changes = z.object({ base: z.unknown().optional() }).catch({});
const BaseChange = z.object({ ref: z.object({ from: z.string() }) });

const PullRequestPayload = z.object({ action: z.enum(HANDLED_EVENTS.pull_request), pull_request: PullRequest, changes: Changes.optional() });
const ReviewPayload = z.object({ action: z.enum(HANDLED_EVENTS.pull_request_review), pull_request: PullRequest });

/**
 * `pull_request` opened / synchronize / reopened / edited: the repository and the pull request.
 * An edit that did not change the base is ignored: it changes nothing the check depends on.
 */
export function readPullRequestEvent(payload: unknown, appId: number): EventRead<PullRequestEvent> {
  const read = readTargetedEvent(PullRequestPayload, payload, appId, 'pull_request');
  if (!read.ok) return read;
  const { target, event } = read.value;
  const baseChange = event.changes?.base;
  if (event.action === 'edited' && baseChange === undefined) return ignored('pull_request edited without a base change: ignored');
  const baseChangedFrom = BaseChange.safeParse(baseChange).data?.ref.from;
  return accepted({ target, action: event.action, pull: event.pull_request, ...(baseChangedFrom === undefined ? {} : { baseChangedFrom }) });
}

/** `pull_request_review` submitted / dismissed: the repository and the reviewed pull request. */
export function readReviewEvent(payload: unknown, appId: number): EventRead<ReviewEvent> {
  const read = readTargetedEvent(ReviewPayload, payload, appId, 'pull_request_review');
  return read.ok ? accepted({ target: read.value.target, action: read.value.event.action, pull: read.value.event.pull_request }) : read;
}
