import type { Logger } from 'probot';
import { Probot, ProbotOctokit } from 'probot';
import { imageAssuranceApp } from '../github/app.ts';
import { conditionalContents } from '../github/conditional-requests.ts';
import type { ContentsCache } from '../github/conditional-requests.ts';
import type { Job, Store } from '../store/store.ts';

/**
 * Stage 2, job: the worker. ONE Probot instance with the app loaded; a job is a stored delivery
 * handed to it as if it had just arrived. Probot's octokit retries 5xx answers and waits out rate
 * limits (plugin-retry, plugin-throttling); both stay on.
 */

/** How often a request that hit a rate limit is tried again before the job gives up. */
export const MAX_RATE_LIMIT_RETRIES = 2;

/**
 * The longest rate-limit wait a job sits out. GitHub may ask for minutes (a primary limit resets
 * within the hour); the worker Lambda lives 300 s, and a job killed mid-wait would leave its
 * check in progress. Past this, the request fails and the final guard completes the check.
 */
export const MAX_RATE_LIMIT_WAIT_SECONDS = 60;

/**
 * The longest one GitHub request may take. A request that hangs fails (and is retried like a
 * 5xx) instead of holding the job until the Lambda is killed with its check in progress.
 */
export const GITHUB_REQUEST_TIMEOUT_MS = 30_000;

export interface WorkerOptions {
  appId: string | number;
  privateKey: string;
  secret: string;
  /** GitHub Enterprise Server or a test server: the REST API URL. */
  baseUrl?: string;
  store: Store;
  now?: () => Date;
  log?: Logger;
  /**
   * Merged into the octokit options of every client, e.g. plugin-retry's `retry` and
   * plugin-throttling's `throttle` settings (tests make the waits zero).
   */
  octokitDefaults?: { retry?: Record<string, unknown>; throttle?: Record<string, unknown> };
  /** GITHUB_REQUEST_TIMEOUT_MS unless given (tests make it short). */
  requestTimeoutMs?: number;
}

export interface Worker {
  runJob(job: Job): Promise<void>;
  probot: Probot;
}

export async function createWorker(options: WorkerOptions): Promise<Worker> {
  // Shared by every job of this worker, as Probot's installation-token cache is: a token is
  // reused until shortly before it expires, and a file GitHub answers 304 for is not sent again.
  const contents: ContentsCache = new Map();
  const Octokit = ProbotOctokit.defaults((instance: Record<string, unknown>) => ({
    ...instance,
    retry: { ...(instance.retry as object | undefined), ...options.octokitDefaults?.retry },
    throttle: {
      ...(instance.throttle as object | undefined),
      onRateLimit: retryRateLimit,
      onSecondaryRateLimit: retryRateLimit,
      ...options.octokitDefaults?.throttle,
    },
  })).plugin(conditionalContents(contents));
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    secret: options.secret,
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.log ? { log: options.log } : {}),
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS) },
    Octokit,
  });
  await probot.load(imageAssuranceApp({ store: options.store, now: options.now ?? (() => new Date()), appId: Number(options.appId) }));
  return {
    probot,
    async runJob(job) {
      await probot.receive({ id: job.id, name: job.event, payload: job.payload } as Parameters<Probot['receive']>[0]);
    },
  };
}

/** The global fetch, with a deadline on every request that brings no signal of its own. */
function fetchWithTimeout(timeoutMs: number): typeof fetch {
  return (input, init) => fetch(input, { ...init, signal: init?.signal ?? AbortSignal.timeout(timeoutMs) });
}

/** Waits out a primary or secondary rate limit (GitHub's retry-after), a few times and a minute at most. */
function retryRateLimit(retryAfterSeconds: number, request: { method: string; url: string; request: { retryCount: number } }, octokit: { log: Logger }): boolean {
  const isRetrying = request.request.retryCount < MAX_RATE_LIMIT_RETRIES && retryAfterSeconds <= MAX_RATE_LIMIT_WAIT_SECONDS;
  octokit.log.warn({ method: request.method, url: request.url, retryAfterSeconds, isRetrying }, 'GitHub rate limit hit');
  return isRetrying;
}
