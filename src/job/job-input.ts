import type { Logger } from 'probot';
import type { EventRead } from '../events/read.ts';
import type { GitHubClient } from '../github/client.ts';
import type { Store } from '../store/store.ts';

/** What every orchestrator receives: the stored delivery's payload and the worker's clients. */
export interface JobInput {
  octokit: GitHubClient;
  store: Store;
  payload: unknown;
  now: Date;
  log: Logger;
  /** This GitHub App's ID: only its own check runs, suites and comments are acted on. */
  appId: number;
}

/** Logs why a payload reader ignored the event (nothing else happens for it). */
export function logIgnored(log: Logger, read: Extract<EventRead<unknown>, { ok: false }>): void {
  log[read.level](read.ignored);
}
