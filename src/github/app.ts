import type { Context, Probot } from 'probot';
import { onPackagePublished } from '../job/on-package-published.ts';
import { onPullRequest } from '../job/on-pull-request.ts';
import { onPullRequestReview } from '../job/on-pull-request-review.ts';
import { onReevaluate } from '../job/on-reevaluate.ts';
import { onWorkflowRunCompleted, onWorkflowRunStarted } from '../job/on-workflow-run.ts';
import type { JobInput } from '../job/on-workflow-run.ts';
import type { Store } from '../store/store.ts';

/**
 * The Probot app: maps each handled event (SPEC §4, src/webhook/handled-events.ts) to its job
 * orchestrator in src/job/on-*.ts. No logic lives here.
 */
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
    probot.on(['workflow_run.requested', 'workflow_run.in_progress'], (context) => onWorkflowRunStarted(input(context)));
    probot.on('workflow_run.completed', (context) => onWorkflowRunCompleted(input(context)));
    probot.on(['pull_request.opened', 'pull_request.synchronize', 'pull_request.reopened'], (context) => onPullRequest(input(context)));
    probot.on(['pull_request_review.submitted', 'pull_request_review.dismissed'], (context) => onPullRequestReview(input(context)));
    probot.on(['check_run.rerequested', 'check_run.requested_action', 'check_suite.rerequested'], (context) => onReevaluate(input(context)));
    probot.on(['registry_package.published', 'package.published'], (context) => onPackagePublished(input(context)));
  };
}
