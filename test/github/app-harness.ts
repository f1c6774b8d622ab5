import Bottleneck from 'bottleneck';
import { generateKeyPairSync } from 'node:crypto';
import pino from 'pino';
import { afterEach, beforeEach, expect } from 'vitest';
import { createWorker, type RunJobOptions } from '../../src/worker/worker.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { receiveWebhook } from '../../src/webhook/receive.ts';
import { buildArtifactZip } from '../helpers/artifact-zip.ts';
import type { ArtifactFile } from '../helpers/artifact-zip.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { createGitHubMock, GITHUB_API } from '../helpers/github-mock.ts';
import type { GitHubMock } from '../helpers/github-mock.ts';
import { TEST_WEBHOOK_SECRET, signedDelivery } from '../helpers/sign.ts';

/**
 * The real app end to end: a signed delivery goes through receiveWebhook into the memory store,
 * and the stored job runs through createWorker(...).runJob with a real Probot. GitHub is nock.
 */

export const NOW = new Date('2026-11-26T12:00:00Z');
export const INSTALLATION_ID = 4242;
/** The app's ID: its check runs and comments carry it. */
export const APP_ID = 1;
export const OWNER = 'octo-org';
export const REPO = 'octo-repo';
export const REPO_PATH = `/repos/${OWNER}/${REPO}`;
/** The organization's `.github` repository, which holds its policy file. */
export const ORG_REPO_PATH = `/repos/${OWNER}/.github`;
export const BLOB_HOST = 'https://pipelines.blob.test';
export const POLICY_PATH = '.github/image-assurance.yml';

const { privateKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

export interface AppUnderTest {
  store: Store;
  github: GitHubMock;
  /** Signs, receives (must be queued) and runs the delivery. */
  deliver(event: string, payload: unknown, runOptions?: RunJobOptions): Promise<void>;
}

export interface StartOptions {
  store?: Store;
  requestTimeoutMs?: number;
  now?: Date;
  checkWriteReserveMs?: number;
}

/** The app of every test of a file (see useAppUnderTest); `restart` replaces it with one started with other options. */
export interface SharedAppUnderTest extends AppUnderTest {
  restart(options?: StartOptions): Promise<void>;
}

/**
 * Starts the app before each test of the file and restores its GitHub mock after it: one object,
 * filled anew for every test, so a test reads `app.github` and calls `app.deliver` as usual.
 */
export function useAppUnderTest(): SharedAppUnderTest {
  const app = {
    async restart(options?: StartOptions) {
      app.github.restore();
      Object.assign(app, await startApp(options));
    },
  } as SharedAppUnderTest;
  beforeEach(async () => {
    Object.assign(app, await startApp());
  });
  afterEach(() => {
    app.github.restore();
  });
  return app;
}

export async function startApp(options: StartOptions = {}): Promise<AppUnderTest> {
  const store = options.store ?? createMemoryStore();
  const now = options.now ?? NOW;
  const github = createGitHubMock();
  const worker = await createWorker({
    appId: APP_ID,
    privateKey,
    secret: TEST_WEBHOOK_SECRET,
    baseUrl: GITHUB_API,
    store,
    now: () => now,
    log: pino({ level: 'silent' }),
    ...(options.requestTimeoutMs === undefined ? {} : { requestTimeoutMs: options.requestTimeoutMs }),
    ...(options.checkWriteReserveMs === undefined ? {} : { checkWriteReserveMs: options.checkWriteReserveMs }),
    // Retry and throttling stay on; only their waits are zero.
    octokitDefaults: {
      retry: { retryAfterBaseValue: 0 },
      throttle: {
        retryAfterBaseValue: 0,
        fallbackSecondaryRateRetryAfter: 0,
        write: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
        notifications: new Bottleneck.Group({ maxConcurrent: 1, minTime: 0 }),
      },
    },
  });
  let deliveries = 0;
  return {
    store,
    github,
    async deliver(event, payload, runOptions) {
      const delivery = await signedDelivery(event, payload, { id: `delivery-${++deliveries}` });
      const response = await receiveWebhook(delivery, { secret: TEST_WEBHOOK_SECRET, store, now: () => now });
      expect(response.statusCode).toBe(202);
      await worker.runJob(response.job!, runOptions);
    },
  };
}

export interface RunOptions {
  runId?: number;
  headSha?: string;
  name?: string;
  pullRequest?: { number: number; base: string };
  headRepositoryId?: number;
  /** The workflow file the run ran (the fixture's is `.github/workflows/test.yml`). */
  path?: string;
}

/** The real workflow_run.completed payload, adjusted in memory for a scenario. */
export function workflowRunPayload(options: RunOptions = {}, fixture = 'webhooks/workflow_run.completed.json'): Record<string, any> {
  const payload = readFixtureJson<Record<string, any>>(fixture);
  const repositoryId: number = payload.repository.id;
  payload.installation = { id: INSTALLATION_ID, node_id: 'MDIz' };
  const run = payload.workflow_run;
  if (options.runId !== undefined) run.id = options.runId;
  if (options.headSha !== undefined) run.head_sha = options.headSha;
  if (options.name !== undefined) run.name = options.name;
  if (options.headRepositoryId !== undefined) run.head_repository.id = options.headRepositoryId;
  if (options.path !== undefined) run.path = options.path;
  run.pull_requests = options.pullRequest
    ? [
        {
          number: options.pullRequest.number,
          head: { ref: 'feature', sha: run.head_sha, repo: { id: repositoryId } },
          base: { ref: options.pullRequest.base, sha: 'b'.repeat(40), repo: { id: repositoryId } },
        },
      ]
    : [];
  return payload;
}

export const SHA = '3484a3fb816e0859fd6e1cea078d76385ff50625';
/** The digest of the juice-shop image in JUICE_SHOP's report. */
export const JUICE_DIGEST = 'sha256:b1802758946aa40549b98ee6b8f93e9b92d0a6bf7aed139284893466be9c5065';
export const RUN_ID = 289782451;

/** The real pull_request.opened payload, adjusted: OWNER/REPO's commit SHA, into `base`. */
export function pullRequestPayload(base: string, number?: number): Record<string, any> {
  const payload = readFixtureJson<Record<string, any>>('webhooks/pull_request.opened.json');
  payload.installation = { id: INSTALLATION_ID };
  payload.repository = workflowRunPayload().repository;
  if (number !== undefined) payload.pull_request.number = number;
  payload.pull_request.head.sha = SHA;
  payload.pull_request.base.ref = base;
  return payload;
}

/**
 * A real check_run or check_suite payload (`fixture`) asking to judge OWNER/REPO's commit SHA again,
 * sent to the app `app` (its `id` decides whether the button is ours); a requested action is re-evaluate.
 */
export function reevaluationPayload(fixture: string, app: { id: number }): Record<string, any> {
  const payload = readFixtureJson<Record<string, any>>(fixture);
  const checked = payload.check_run ?? payload.check_suite;
  payload.installation = { id: INSTALLATION_ID };
  payload.repository = workflowRunPayload().repository;
  checked.head_sha = SHA;
  checked.pull_requests = [];
  checked.app = { ...checked.app, id: app.id };
  if (payload.requested_action) payload.requested_action = { identifier: 're-evaluate' };
  return payload;
}

/** POST /app/installations/{id}/access_tokens: the installation token Probot asks for. */
export function mockAccessToken(github: GitHubMock): void {
  github.api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
}

/** GET contents of a file at a ref: `text` or 404. */
export function mockFile(github: GitHubMock, path: string, ref: string | undefined, text: string | undefined, repoPath = REPO_PATH): void {
  const interceptor = github.api.get((uri) => {
    const url = new URL(uri, GITHUB_API);
    return decodeURIComponent(url.pathname) === `${repoPath}/contents/${path}` && (ref === undefined ? !url.searchParams.has('ref') : url.searchParams.get('ref') === ref);
  });
  if (text === undefined) interceptor.reply(404, { message: 'Not Found' });
  else interceptor.reply(200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8' });
}

/**
 * The two policy files every evaluation reads: the repository's at `ref` (the pull request's base,
 * else the default branch) and the organization's in `<owner>/.github` (its default branch, no
 * ref). Each is its text or, when left out, a 404. `repository` defaults to OWNER/REPO.
 */
export function mockPolicyFiles(github: GitHubMock, files: { ref: string; repo?: string; org?: string; repository?: `${string}/${string}` }): void {
  const [owner, name] = (files.repository ?? `${OWNER}/${REPO}`).split('/') as [string, string];
  mockFile(github, POLICY_PATH, files.ref, files.repo, `/repos/${owner}/${name}`);
  mockFile(github, POLICY_PATH, undefined, files.org, `/repos/${owner}/.github`);
}

export interface ArtifactMock {
  id: number;
  name: string;
  files?: Record<string, ArtifactFile>;
  zip?: Uint8Array;
  sizeInBytes?: number;
  /** What the download answers instead of a redirect. */
  downloadStatus?: number;
  expired?: boolean;
  /** Where the download redirects instead of the blob host (nothing is served there). */
  redirectTo?: string;
}

/** The run's one artifact: `image-scan` (ID 11) holding `report` as `trivy.json`. */
export function imageScan(report: ArtifactFile): ArtifactMock[] {
  return [{ id: 11, name: 'image-scan', files: { 'trivy.json': report } }];
}

/** Lists the run's artifacts and serves each zip through a 302 to the blob host. */
export function mockArtifacts(github: GitHubMock, runId: number, artifacts: ArtifactMock[], repoPath = REPO_PATH): void {
  github.api.get(`${repoPath}/actions/runs/${runId}/artifacts`).query(true).reply(200, {
    total_count: artifacts.length,
    artifacts: artifacts.map((artifact) => ({ id: artifact.id, name: artifact.name, size_in_bytes: artifact.sizeInBytes ?? 1000, expired: artifact.expired ?? false })),
  });
  const blob = github.host(BLOB_HOST);
  for (const artifact of artifacts) {
    if (artifact.expired || (artifact.sizeInBytes ?? 0) > 100 * 1024 * 1024) continue;
    const download = github.api.get(`${repoPath}/actions/artifacts/${artifact.id}/zip`);
    if (artifact.downloadStatus !== undefined) {
      download.reply(artifact.downloadStatus, { message: 'artifact download failed' });
      continue;
    }
    if (artifact.redirectTo !== undefined) {
      download.reply(302, '', { location: artifact.redirectTo });
      continue;
    }
    download.reply(302, '', { location: `${BLOB_HOST}/artifacts/${artifact.id}.zip?sig=abc` });
    const zip = artifact.zip ?? buildArtifactZip(artifact.files ?? {});
    blob.get(`/artifacts/${artifact.id}.zip`).query({ sig: 'abc' }).reply(200, Buffer.from(zip), { 'content-type': 'application/zip' });
  }
}

/**
 * The comparison of the run's commit with its base branch (GET compare/{base}...{head}): the
 * files the change touched, and where the commit stands (`ahead` by default: a change of its own;
 * `identical` or `behind`: the commit is on the base branch). By default the workflow file is not
 * among the files.
 */
export function mockCompare(
  github: GitHubMock,
  base: string,
  files: { filename: string; previous_filename?: string }[] = [{ filename: 'src/app.ts' }],
  head = SHA,
  status: 'identical' | 'behind' | 'ahead' | 'diverged' = 'ahead',
  repoPath = REPO_PATH,
): void {
  github.api
    .get((uri) => decodeURIComponent(new URL(uri, GITHUB_API).pathname) === `${repoPath}/compare/${base}...${head}`)
    .reply(200, { status, merge_base_commit: { sha: 'c'.repeat(40) }, files: files.map((file) => ({ status: 'modified', ...file })) });
}

/** A pull request with no comment of ours yet: the app lists its comments (twice: before and after writing the check) and posts one. */
export function mockNewComment(github: GitHubMock, pullNumber: number, id = 1): void {
  github.api.get(`${REPO_PATH}/issues/${pullNumber}/comments`).query(true).times(2).reply(200, []);
  github.api.post(`${REPO_PATH}/issues/${pullNumber}/comments`).reply(201, { id });
}

/** The completed workflow runs GitHub lists for the commit SHA (a re-evaluation asks for them). */
export function mockRunsOfCommit(github: GitHubMock, runs: readonly Record<string, any>[]): void {
  github.api.get(`${REPO_PATH}/actions/runs`).query({ head_sha: SHA, per_page: '100' }).reply(200, { total_count: runs.length, workflow_runs: runs });
}

/** The comparison that confirms the run's commit is on `base` (a push to the default branch). */
export function mockOnBranch(github: GitHubMock, base: string, head = SHA, repoPath = REPO_PATH): void {
  mockCompare(github, base, [], head, 'identical', repoPath);
}

export function mockCreateCheckRun(github: GitHubMock, id = 7001): void {
  github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id, html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}` });
}

export function mockUpdateCheckRun(github: GitHubMock, id = 7001): void {
  github.api.patch(`${REPO_PATH}/check-runs/${id}`).reply(200, { id, html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}` });
}

/** What one evaluated run needs mocked, beyond its delivery: see {@link arrangeRun}. */
export type RunArrangement = Parameters<typeof mockPolicyFiles>[1] & {
  /** The run's artifacts (see {@link mockArtifacts}); left out, the test mocks the listing itself, or none is asked for. */
  artifacts?: ArtifactMock[];
  /**
   * The branch the run's commit is compared with: a pull request's base (default files, `ahead`).
   * Left out, a run with artifacts is a push whose commit GitHub confirms on `ref` (`identical`);
   * `false`: the test mocks the comparison itself.
   */
  compare?: string | false;
  /** The ID of the check run the app creates. */
  checkRunId?: number;
  /** The run's commit, when it is not SHA (for the comparison). */
  headSha?: string;
};

/**
 * The usual arrange step of a run of RUN_ID: the installation token, both policy files, the
 * artifacts (when given), the compare (when given) and creating the check run, in that order.
 */
export function arrangeRun(github: GitHubMock, arrangement: RunArrangement): void {
  const { artifacts, compare, checkRunId, headSha = SHA, ...policyFiles } = arrangement;
  mockAccessToken(github);
  mockPolicyFiles(github, policyFiles);
  if (artifacts !== undefined) mockArtifacts(github, RUN_ID, artifacts);
  if (typeof compare === 'string') mockCompare(github, compare, undefined, headSha);
  else if (compare === undefined && artifacts !== undefined && artifacts.length > 0) mockOnBranch(github, policyFiles.ref, headSha);
  mockCreateCheckRun(github, checkRunId);
}

/** Check-run request bodies, in order. */
export function checkRunBodies(github: GitHubMock): Record<string, any>[] {
  return github.log.filter((entry) => entry.path.split('?')[0]!.startsWith(`${REPO_PATH}/check-runs`)).map((entry) => entry.body as Record<string, any>);
}

/** The last completed check-run body. */
export function finalCheckRun(github: GitHubMock): Record<string, any> {
  const completed = checkRunBodies(github).filter((body) => body.status === 'completed');
  expect(completed.length).toBeGreaterThan(0);
  return completed.at(-1)!;
}

export const JUICE_SHOP = { fixture: 'scans/trivy/juice-shop-v10.2.0.json' };
export const ALPINE_311 = { fixture: 'scans/trivy/license_scheme.json' };
