import type { Context, Probot } from 'probot';
import { onPackagePublished } from '../job/on-package-published.ts';
import { onPullRequest } from '../job/on-pull-request.ts';
import { onPullRequestReview } from '../job/on-pull-request-review.ts';
import { onReevaluate } from '../job/on-reevaluate.ts';
import { onWorkflowRunCompleted, onWorkflowRunStarted } from '../job/on-workflow-run.ts';
import type { JobInput } from '../job/job-input.ts';
import type { Store } from '../store/store.ts';
import { HANDLED_EVENTS, type HandledEvent } from '../events/handled-events.ts';

/** A job orchestrator of src/job/on-*.ts: one event kind, read and answered top to bottom. */
export type Orchestrator = (input: JobInput) => Promise<void>;

/**
 * Every handled event and action (HANDLED_EVENTS, the list the webhook receiver accepts) → its
 * orchestrator. The type makes it total and exact: an action added to HANDLED_EVENTS without an
 * orchestrator here, or one here that the receiver would never store, does not compile.
 */
export type OrchestratorTable = {
  readonly [E in HandledEvent]: { readonly [A in (typeof HANDLED_EVENTS)[E][number]]: Orchestrator };
};

export const ORCHESTRATORS: OrchestratorTable = {
  workflow_run: { requested: onWorkflowRunStarted, in_progress: onWorkflowRunStarted, completed: onWorkflowRunCompleted },
  pull_request: { opened: onPullRequest, synchronize: onPullRequest, reopened: onPullRequest, edited: onPullRequest },
  pull_request_review: { submitted: onPullRequestReview, dismissed: onPullRequestReview },
  check_run: { rerequested: onReevaluate, requested_action: onReevaluate },
  check_suite: { rerequested: onReevaluate },
  registry_package: { published: onPackagePublished },
  package: { published: onPackagePublished },
};

/** Each handled `event.action` with its orchestrator, in HANDLED_EVENTS' order. */
export function handledDeliveries(): { name: `${HandledEvent}.${string}`; orchestrator: Orchestrator }[] {
  return (Object.keys(HANDLED_EVENTS) as HandledEvent[]).flatMap((event) => {
    const orchestrators: Readonly<Record<string, Orchestrator>> = ORCHESTRATORS[event];
    return HANDLED_EVENTS[event].map((action: string) => ({ name: `${event}.${action}` as const, orchestrator: orchestrators[action]! }));
  });
}

/** The Probot app: registers each handled delivery's orchestrator. No logic lives here. */
export function imageAssuranceApp(deps: { store: Store; now: () => Date; appId: number }): (app: Probot) => void {
  const input = (context: Context): JobInput => ({
    octokit: context.octokit,
    store: deps.store,
    payload: context.payload,
    now: deps.now(),
    log: context.log,
    appId: deps.appId,
  });
  return function app(probot: Probot): void {
    for (const { name, orchestrator } of handledDeliveries()) {
      probot.on(name as Parameters<Probot['on']>[0], (context: Context) => orchestrator(input(context)));
    }
  };
}
