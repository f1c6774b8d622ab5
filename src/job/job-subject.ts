import type { RunRef } from '../model/outcome.ts';
import type { Job } from '../store/store.ts';
import { pullNumbers } from './evaluate-run.ts';
import { readPublishedVersion } from './on-package-published.ts';
import { readRepoTarget, record } from './repo-target.ts';
import type { RepoTarget } from './repo-target.ts';
import { isRunOfRepository, readWorkflowRun } from './workflow-run.ts';

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
  pullRequests: number[];
}

export function readJobSubject(job: Pick<Job, 'event' | 'payload'>, appId: number): JobSubject | undefined {
  const payload = record(job.payload);
  const target = readRepoTarget(payload, appId);
  if (target === undefined) return undefined;
  switch (job.event) {
    case 'workflow_run': {
      if (!isRunOfRepository(payload.workflow_run, target.repositoryId)) return undefined;
      const run = readWorkflowRun(payload.workflow_run, target.repositoryId);
      return { target, sha: run.headSha, run: run.ref, pullRequests: pullNumbers(run) };
    }
    case 'pull_request': {
      const pull = record(payload.pull_request);
      const sha = fullSha(record(pull.head).sha);
      return sha === undefined ? undefined : { target, sha, pullRequests: typeof pull.number === 'number' ? [pull.number] : [] };
    }
    case 'check_run':
    case 'check_suite': {
      const checked = record(payload.check_run ?? payload.check_suite);
      if (record(checked.app ?? record(checked.check_suite).app).id !== appId) return undefined;
      const sha = fullSha(checked.head_sha);
      const pulls = Array.isArray(checked.pull_requests) ? checked.pull_requests : [];
      return sha === undefined ? undefined : { target, sha, pullRequests: pulls.flatMap((pr) => (typeof record(pr).number === 'number' ? [record(pr).number as number] : [])) };
    }
    case 'registry_package':
    case 'package': {
      const version = readPublishedVersion(payload, appId);
      return version?.sha === undefined ? undefined : { target, sha: version.sha, run: version.run, pullRequests: [] };
    }
    default:
      return undefined;
  }
}

function fullSha(value: unknown): string | undefined {
  return typeof value === 'string' && /^[0-9a-f]{40}$/i.test(value) ? value : undefined;
}
