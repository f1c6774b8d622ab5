import type { Logger } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import type { Store } from '../store/store.ts';
import { reportDidNotFinish } from './final-guard.ts';
import type { JobSubject } from './job-subject.ts';
import { createPolicyReader } from './policy-reader.ts';

/**
 * A job that was stopped from outside (its deadline passed, or it was dead-lettered after running
 * out of time, memory or retries) ends as a completed failing "did not finish" check on its
 * commit, never as the conclusion it had before. The check keeps the repository's check name when
 * the policy can still be read; otherwise the default name is used, and the log says why.
 */
export async function reportUnfinished(input: {
  octokit: GitHubClient;
  store: Store;
  subject: JobSubject;
  reason: string;
  now: Date;
  log: Logger;
}): Promise<void> {
  const { octokit, subject, log } = input;
  const { target } = subject;
  const policies = createPolicyReader(octokit, target);
  try {
    await policies.load(target.defaultBranch);
  } catch (error) {
    log.warn({ err: error }, 'could not read the policy for the check name: the default name is used');
  }
  log.error({ repository: `${target.owner}/${target.repo}`, sha: subject.sha, runId: subject.run?.id, reason: input.reason }, 'job did not finish');
  await reportDidNotFinish(
    { octokit, store: input.store, target, sha: subject.sha, ...(subject.run ? { run: subject.run } : {}), ...(subject.attempt === undefined ? {} : { attempt: subject.attempt }), pullRequests: subject.pullRequests, settings: policies.checkSettings, now: input.now, log },
    input.reason,
  );
}
