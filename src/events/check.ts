import { z } from 'zod';
import { HANDLED_EVENTS } from './handled-events.ts';
import { accepted, CommitSha, type EventRead, ignored } from './read.ts';
import { readTargetedEvent, type RepoTarget } from './repo-target.ts';

/** A re-run of this app's check run or suite: the commit it is about and its pull requests. */
export interface CheckEvent {
  target: RepoTarget;
  action: (typeof HANDLED_EVENTS.check_run)[number] | (typeof HANDLED_EVENTS.check_suite)[number];
  headSha: string;
  pullRequests: number[];
  /** The button pressed, for `requested_action`. */
  requestedAction?: string;
}

const App = z.object({ id: z.number() }).nullish().catch(null);
/** A pull request entry without a number is left out. */
const PullRequests = z
  .array(z.object({ number: z.number() }).nullable().catch(null))
  .catch([])
  .transform((pulls) => pulls.flatMap((pull) => (pull === null ? [] : [pull.number])));
const Checked = z.object({ head_sha: CommitSha, app: App, check_suite: z.object({ app: App }).nullish().catch(null), pull_requests: PullRequests });

const CheckRunPayload = z.object({
  action: z.enum(HANDLED_EVENTS.check_run),
  check_run: Checked,
  requested_action: z.object({ identifier: z.string() }).nullish().catch(null),
});
const CheckSuitePayload = z.object({ action: z.enum(HANDLED_EVENTS.check_suite), check_suite: Checked });

/**
 * `check_run` rerequested / requested_action and `check_suite` rerequested. Only a re-run of THIS
 * app's check run or suite is read: another app's check is not ours to answer (ignored).
 */
export function readCheckEvent(payload: unknown, appId: number): EventRead<CheckEvent> {
  const isRun = typeof payload === 'object' && payload !== null && 'check_run' in payload;
  const read = isRun ? readTargetedEvent(CheckRunPayload, payload, appId, 'check_run') : readTargetedEvent(CheckSuitePayload, payload, appId, 'check_suite');
  if (!read.ok) return read;
  const { target, event } = read.value;
  const checked = 'check_run' in event ? event.check_run : event.check_suite;
  const owner = checked.app?.id ?? checked.check_suite?.app?.id;
  if (owner !== appId) return ignored(`re-evaluation of another app's check (app ${owner ?? 'unknown'}): ignored`, 'info');
  const requestedAction = 'requested_action' in event ? event.requested_action?.identifier : undefined;
  return accepted({
    target,
    action: event.action,
    headSha: checked.head_sha,
    pullRequests: checked.pull_requests,
    ...(requestedAction === undefined ? {} : { requestedAction }),
  });
}
