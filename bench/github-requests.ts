/**
 * The GitHub side of `npm run bench` (called from bench/run.ts): how many rate-limited requests one
 * single-image workflow run without a pull request (a push to a feature branch, so the workflow
 * file is compared with the default branch) costs, cold (the worker's first job) and in
 * steady state (the same worker's next job: the installation token is cached, the policy files
 * answer 304). GitHub is nock at the HTTP boundary; the worker is the production one.
 *
 * Counted: every request to the REST API except a 304 (GitHub does not charge a conditional
 * request that finds nothing new). The artifact's blob download is not the API and is not counted.
 * Goal: at most 5 in steady state.
 */
import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { sign } from '@octokit/webhooks-methods';
import { strToU8, zipSync } from 'fflate';
import nock from 'nock';
import { pino } from 'pino';
import { createWorker } from '../src/worker/worker.ts';
import { createMemoryStore } from '../src/store/memory.ts';
import { receiveWebhook } from '../src/webhook/receive.ts';
import { generateTrivyReport } from './generate-trivy.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = resolve(ROOT, '../shared/fixtures/webhooks');
const API = 'https://api.github.com';
const BLOB = 'https://blob.bench.test';
const SECRET = 'bench-secret';
const INSTALLATION_ID = 9;
export const GOAL_STEADY_STATE_REQUESTS = 5;

const REPO_POLICY = 'version: 1\nextends: [preset:baseline]\n';
const ORG_POLICY = 'version: 1\npolicies:\n  - name: org\n    rules:\n      secrets: deny\n';

export interface GitHubRequestFigures {
  /** Rate-limited requests of the worker's first job, by `METHOD path`. */
  cold: { count: number; requests: string[] };
  /** The same for the next job of the same worker. */
  steadyState: { count: number; requests: string[]; notModified: number };
  goal: { limit: number; met: boolean };
}

export async function benchGitHubRequests(): Promise<GitHubRequestFigures> {
  const payload = JSON.parse(readFileSync(join(FIXTURES, 'workflow_run.completed.json'), 'utf8')) as Record<string, any>;
  payload['installation'] = { id: INSTALLATION_ID };
  const { owner, name } = { owner: payload['repository'].owner.login as string, name: payload['repository'].name as string };
  const runId = payload['workflow_run'].id as number;
  const zip = zipSync({ 'trivy.json': strToU8(generateTrivyReport({ vulnerabilities: 50, packages: 20 })) });
  const log: { method: string; path: string; status: number }[] = [];

  nock.disableNetConnect();
  const unmatched: string[] = [];
  const onNoMatch = (request: { method?: string; path?: string }) => unmatched.push(`${request.method} ${request.path}`);
  nock.emitter.on('no match', onNoMatch);
  const api = nock(API).persist();
  const reply = (method: string, path: string, status: number) => log.push({ method, path, status });
  api.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(() => {
    reply('POST', '/app/installations/{id}/access_tokens', 201);
    return [201, { token: 'ghs_bench', expires_at: new Date(Date.now() + 3_600_000).toISOString(), permissions: {} }];
  });
  const policyFile = (repo: string, text: string) =>
    api.get((uri) => decodeURIComponent(uri).startsWith(`/repos/${owner}/${repo}/contents/.github/image-assurance.yml`)).reply(function () {
      const etag = `"${Buffer.from(text).toString('base64url').slice(0, 20)}"`;
      const isFresh = this.req.headers['if-none-match'] === etag;
      reply('GET', `/repos/${owner}/${repo}/contents/.github/image-assurance.yml`, isFresh ? 304 : 200);
      return isFresh ? [304, ''] : [200, text, { 'content-type': 'application/vnd.github.raw; charset=utf-8', etag }];
    });
  policyFile(name, REPO_POLICY);
  policyFile('.github', ORG_POLICY);
  api.get((uri) => uri.startsWith(`/repos/${owner}/${name}/actions/runs/${runId}/artifacts`)).reply(() => {
    reply('GET', `/repos/${owner}/${name}/actions/runs/{run_id}/artifacts`, 200);
    return [200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: zip.byteLength, expired: false }] }];
  });
  api.get(`/repos/${owner}/${name}/actions/artifacts/11/zip`).reply(() => {
    reply('GET', `/repos/${owner}/${name}/actions/artifacts/{artifact_id}/zip`, 302);
    return [302, '', { location: `${BLOB}/11.zip` }];
  });
  api.get((uri) => decodeURIComponent(uri).startsWith(`/repos/${owner}/${name}/compare/`)).reply(() => {
    reply('GET', `/repos/${owner}/${name}/compare/{basehead}`, 200);
    return [200, { status: 'ahead', merge_base_commit: { sha: 'c'.repeat(40) }, files: [{ filename: 'src/app.ts', status: 'modified' }] }];
  });
  nock(BLOB).persist().get('/11.zip').reply(200, () => Buffer.from(zip), { 'content-type': 'application/zip' });
  api.post(`/repos/${owner}/${name}/check-runs`).reply(() => {
    reply('POST', `/repos/${owner}/${name}/check-runs`, 201);
    return [201, { id: 1, html_url: 'https://github.com/check/1' }];
  });
  api.patch(`/repos/${owner}/${name}/check-runs/1`).reply(() => {
    reply('PATCH', `/repos/${owner}/${name}/check-runs/{id}`, 200);
    return [200, { id: 1, html_url: 'https://github.com/check/1' }];
  });

  try {
    const store = createMemoryStore();
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const worker = await createWorker({ appId: 1, privateKey, secret: SECRET, store, log: pino({ level: 'silent' }), octokitDefaults: { throttle: { enabled: false } } });
    const runOnce = async (index: number, sha: string) => {
      const body = JSON.stringify({ ...payload, workflow_run: { ...payload['workflow_run'], id: runId, head_sha: sha, head_branch: 'feature' } });
      const received = await receiveWebhook(
        { headers: { 'x-github-event': 'workflow_run', 'x-github-delivery': `bench-${index}`, 'x-hub-signature-256': await sign(SECRET, body) }, body },
        { secret: SECRET, store, now: () => new Date() },
      );
      if (!received.job) throw new Error(`delivery ${index} was not queued (${received.statusCode})`);
      const from = log.length;
      await worker.runJob(received.job);
      if (unmatched.length > 0) throw new Error(`the fake GitHub has no answer for ${unmatched.join(', ')}`);
      const requests = log.slice(from);
      const counted = requests.filter((request) => request.status !== 304).map((request) => `${request.method} ${request.path}`);
      return { count: counted.length, requests: counted, notModified: requests.length - counted.length };
    };
    const cold = await runOnce(1, 'a'.repeat(40));
    const steady = await runOnce(2, 'b'.repeat(40));
    if (steady.requests.filter((request) => request.includes('check-runs')).length === 0) throw new Error('the steady-state job wrote no check run');
    return {
      cold: { count: cold.count, requests: cold.requests },
      steadyState: steady,
      goal: { limit: GOAL_STEADY_STATE_REQUESTS, met: steady.count <= GOAL_STEADY_STATE_REQUESTS },
    };
  } finally {
    nock.emitter.removeListener('no match', onNoMatch);
    nock.cleanAll();
    nock.enableNetConnect();
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchGitHubRequests(), null, 2));
}
