import { AsyncLocalStorage } from 'node:async_hooks';
import { setMaxListeners } from 'node:events';
import type { Logger } from 'probot';
import { Probot, ProbotOctokit } from 'probot';
import { imageAssuranceApp } from './app.ts';
import { conditionalContents } from '../github/conditional-requests.ts';
import type { ContentsCache } from '../github/conditional-requests.ts';
import type { Job, Store } from '../store/store.ts';
import { readJobSubject } from '../job/job-subject.ts';
import { reportUnfinished } from '../job/report-unfinished.ts';

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

/**
 * The time a job's deadline leaves for writing its failing "did not finish" check: the policy read
 * for the check name, the check state and the check run, each request bounded by
 * GITHUB_REQUEST_TIMEOUT_MS.
 */
export const CHECK_WRITE_RESERVE_MS = 40_000;

export interface WorkerOptions {
  appId: string | number;
  privateKey: string;
  /** Only for Probot's own webhook verification, which the worker never uses (jobs were verified on receipt). */
  secret?: string;
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
  /** CHECK_WRITE_RESERVE_MS unless given (tests make it short). */
  checkWriteReserveMs?: number;
}

export interface RunJobOptions {
  /**
   * The time left to the process (Lambda's `context.getRemainingTimeInMillis`, or a local budget).
   * The job is stopped `checkWriteReserveMs` before it runs out: every GitHub request it still has
   * in flight is aborted, and its check ends as a failing "did not finish" instead.
   */
  remainingMs?: () => number;
}

export interface Worker {
  /** Runs the job; rejects when it failed in a way its final guard could not answer (the stream retries it). */
  runJob(job: Job, options?: RunJobOptions): Promise<void>;
  /** Ends the job's commit in a failing "did not finish" check that gives `reason`. */
  reportUnfinished(job: Job, reason: string): Promise<void>;
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
  // The running job's stop signal, seen by every GitHub request the job makes (and by no other).
  const jobSignal = new AsyncLocalStorage<AbortSignal>();
  const probot = new Probot({
    appId: options.appId,
    privateKey: options.privateKey,
    ...(options.secret ? { secret: options.secret } : {}),
    ...(options.baseUrl ? { baseUrl: options.baseUrl } : {}),
    ...(options.log ? { log: options.log } : {}),
    request: { fetch: fetchWithTimeout(options.requestTimeoutMs ?? GITHUB_REQUEST_TIMEOUT_MS, () => jobSignal.getStore()) },
    Octokit,
  });
  const now = options.now ?? (() => new Date());
  const appId = Number(options.appId);
  const reserveMs = options.checkWriteReserveMs ?? CHECK_WRITE_RESERVE_MS;
  await probot.load(imageAssuranceApp({ store: options.store, now, appId }));

  async function reportJobUnfinished(job: Job, reason: string): Promise<void> {
    const log = probot.log.child({ deliveryId: job.id, event: job.event });
    const subject = readJobSubject(job, appId);
    if (subject === undefined) {
      log.warn({ reason }, 'job did not finish; it answers on no commit, so no check is marked');
      return;
    }
    const octokit = await probot.auth(subject.target.installationId);
    await reportUnfinished({ octokit, store: options.store, subject, reason, now: now(), log });
  }

  return {
    probot,
    reportUnfinished: reportJobUnfinished,
    async runJob(job, runOptions = {}) {
      const log = probot.log.child({ deliveryId: job.id, event: job.event });
      const budgetMs = runOptions.remainingMs === undefined ? undefined : runOptions.remainingMs() - reserveMs;
      if (budgetMs !== undefined && budgetMs <= 0) {
        await reportJobUnfinished(job, 'the worker had no time left to start it');
        return;
      }
      const stop = new AbortController();
      // Every request of the job listens to it.
      setMaxListeners(0, stop.signal);
      const timer = budgetMs === undefined ? undefined : setTimeout(() => stop.abort(), budgetMs);
      const stopped = new Promise<'stopped'>((resolve) => stop.signal.addEventListener('abort', () => resolve('stopped'), { once: true }));
      const startedAt = Date.now();
      log.info('job started');
      try {
        const running = jobSignal.run(stop.signal, () => probot.receive({ id: job.id, name: job.event, payload: job.payload } as Parameters<Probot['receive']>[0]));
        const outcome = await Promise.race([running.then(() => 'finished' as const), stopped]);
        if (outcome === 'finished') {
          log.info({ durationMs: Date.now() - startedAt }, 'job finished');
          return;
        }
        // Its requests are aborted now; whatever it still does ends in an error, logged here.
        running.catch((error: unknown) => log.warn({ err: error }, 'the job stopped at its deadline ended with an error'));
        await reportJobUnfinished(job, `it ran out of time (stopped after ${Math.round((Date.now() - startedAt) / 1000)} s, leaving time to write this check)`);
      } finally {
        clearTimeout(timer);
      }
    },
  };
}

/**
 * The global fetch, with a deadline on every request that brings no signal of its own, and
 * aborted with the running job when it is stopped at its deadline. One controller per request
 * (not AbortSignal.any, which on Node 20 broke the per-request timeout here); the timer is unref'd
 * and also bounds reading the body, as AbortSignal.timeout did.
 */
function fetchWithTimeout(timeoutMs: number, jobSignal: () => AbortSignal | undefined): typeof fetch {
  return (input, init) => {
    if (init?.signal) return fetch(input, init);
    const controller = new AbortController();
    setTimeout(() => controller.abort(new DOMException(`The operation was aborted due to timeout (${timeoutMs} ms)`, 'TimeoutError')), timeoutMs).unref();
    const job = jobSignal();
    if (job?.aborted) controller.abort(job.reason);
    else job?.addEventListener('abort', () => controller.abort(job.reason), { once: true });
    return fetch(input, { ...init, signal: controller.signal });
  };
}

/** Waits out a primary or secondary rate limit (GitHub's retry-after), a few times and a minute at most. */
function retryRateLimit(retryAfterSeconds: number, request: { method: string; url: string; request: { retryCount: number } }, octokit: { log: Logger }): boolean {
  const isRetrying = request.request.retryCount < MAX_RATE_LIMIT_RETRIES && retryAfterSeconds <= MAX_RATE_LIMIT_WAIT_SECONDS;
  octokit.log.warn({ method: request.method, url: request.url, retryAfterSeconds, isRetrying }, 'GitHub rate limit hit');
  return isRetrying;
}
