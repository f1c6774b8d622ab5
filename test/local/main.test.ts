import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateEnvFile } from '../../src/local/env-file.ts';
import { startFakeSmee, type FakeSmee } from '../helpers/fake-smee.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { signedDelivery, TEST_WEBHOOK_SECRET } from '../helpers/sign.ts';

/**
 * `npm start` for real: spawns `node --import tsx src/local/main.ts` in a folder of its own (its `.env` there)
 * against a fake GitHub API on loopback (GHE_HOST), posts signed deliveries directly and through a
 * loopback smee channel (WEBHOOK_PROXY_URL), and watches what the fake GitHub receives.
 */

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const REPO_PATH = '/api/v3/repos/Codertocat/hello-world-npm';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

interface SeenRequest {
  method: string;
  path: string;
  body: unknown;
}

let github: Server;
let githubHost: string;
const seen: SeenRequest[] = [];
let dataDir: string;
let smee: FakeSmee;
/** While true, the fake GitHub never answers a check-run request: a job stays in flight. */
let isHoldingCheckRuns = false;

beforeAll(async () => {
  github = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const path = decodeURIComponent(request.url ?? '');
      seen.push({ method: request.method ?? '', path, body: text ? JSON.parse(text) : undefined });
      const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.method === 'POST' && path === '/api/v3/app/installations/77/access_tokens') return reply(201, { token: 'ghs_local', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
      if (request.method === 'GET' && path.startsWith(`${REPO_PATH}/contents/.github/image-assurance.yml`)) return reply(404, { message: 'Not Found' });
      if (request.method === 'GET' && path === '/api/v3/repos/Codertocat/.github/contents/.github/image-assurance.yml') return reply(404, { message: 'Not Found' });
      if (request.method === 'POST' && path === `${REPO_PATH}/check-runs` && isHoldingCheckRuns) return;
      if (request.method === 'PATCH' && path === `${REPO_PATH}/check-runs/31`) return reply(200, { id: 31, html_url: 'http://github.local/check/31' });
      if (request.method === 'POST' && path === `${REPO_PATH}/check-runs`) return reply(201, { id: 31, html_url: 'http://github.local/check/31' });
      reply(404, { message: `fake GitHub has no ${request.method} ${path}` });
    });
  });
  await new Promise<void>((done) => github.listen(0, '127.0.0.1', done));
  githubHost = `127.0.0.1:${(github.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'ia-local-'));
  smee = await startFakeSmee();
});
afterAll(async () => {
  await smee.close();
  github.closeAllConnections();
  await new Promise((done) => github.close(done));
  rmSync(dataDir, { recursive: true, force: true });
});

/** `npm start` in `cwd` (default: the repository), with only `env` (and PATH, HOME) in its environment. */
function start(env: Record<string, string>, cwd = root): { child: ChildProcessWithoutNullStreams; output: () => string; exit: Promise<number | null>; signal(name: NodeJS.Signals): void } {
  // As `npm start` runs it: one node process (the tsx CLI would add a parent that relays signals).
  const child = spawn(process.execPath, ['--import', pathToFileURL(join(root, 'node_modules/tsx/dist/loader.mjs')).href, join(root, 'src/local/main.ts')], {
    cwd,
    // Its own process group, signalled as a terminal's Ctrl-C is.
    detached: true,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exit, signal: (name) => process.kill(-child.pid!, name) };
}

async function waitFor<T>(what: string, probe: () => T | undefined, output: () => string, timeoutMs = 60_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}; output:\n${output()}`);
    await new Promise((done) => setTimeout(done, 50));
  }
}

/** A folder holding `.env` with the app's credentials and settings, as the set-up page leaves it. */
function folderWithEnv(name: string, values: Record<string, string>): string {
  const folder = join(dataDir, name);
  mkdirSync(folder);
  writeFileSync(join(folder, '.env'), '# written by the set-up page\n');
  updateEnvFile(join(folder, '.env'), values);
  return folder;
}

const CREDENTIALS = () => ({ APP_ID: '1', PRIVATE_KEY: privateKey, WEBHOOK_SECRET: TEST_WEBHOOK_SECRET, GHE_HOST: githubHost, GHE_PROTOCOL: 'http', PORT: '0' });

async function publishedDelivery(id: string): Promise<{ headers: Record<string, string>; body: string }> {
  const payload = { ...readFixtureJson<Record<string, unknown>>('webhooks/registry_package.published.json'), installation: { id: 77 } };
  return signedDelivery('registry_package', payload, { id });
}

describe('src/local/main.ts', () => {
  it('reads .env, serves /healthz and webhooks (direct and through WEBHOOK_PROXY_URL), logs JSON with unique keys, and stops cleanly on SIGTERM', async () => {
    const channel = `${smee.url}/channel-main`;
    const folder = folderWithEnv('with-env', { ...CREDENTIALS(), WEBHOOK_PROXY_URL: channel, LOG_LEVEL: 'info' });
    const app = start({}, folder);
    const url = await waitFor('the listening line', () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(app.output())?.[1], app.output);

    const health = await fetch(`${url}/healthz`);
    const home = await fetch(`${url}/`);
    const delivery = await publishedDelivery('local-1');
    const accepted = await fetch(`${url}/webhooks`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const rejected = await fetch(`${url}/webhooks`, { method: 'POST', headers: { ...delivery.headers, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body: delivery.body });
    const checkRun = await waitFor('the check run on the fake GitHub', () => seen.find((request) => request.path === `${REPO_PATH}/check-runs`), app.output);
    await smee.listening(channel);
    smee.deliver(channel, await publishedDelivery('proxied-1'));
    await waitFor('the proxied delivery', () => (app.output().includes('"deliveryId":"proxied-1"') ? true : undefined), app.output);
    await waitFor('its check run', () => (seen.some((request) => request.method === 'PATCH' && request.path === `${REPO_PATH}/check-runs/31`) ? true : undefined), app.output);
    app.signal('SIGTERM');
    const code = await app.exit;

    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(await home.text()).toContain('Image Assurance is running');
    expect(accepted.status).toBe(202);
    expect(rejected.status).toBe(401);
    expect(checkRun.body).toMatchObject({ head_sha: '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b', conclusion: 'failure', name: 'image-assurance' });
    const requests = seen.slice(0, 4).map((request) => `${request.method} ${request.path.split('?')[0]}`);
    // The repository's and the organization's policy files are read in parallel: in either order.
    expect([requests[0], ...requests.slice(1, 3).sort(), ...requests.slice(3)]).toEqual([
      'POST /api/v3/app/installations/77/access_tokens',
      'GET /api/v3/repos/Codertocat/.github/contents/.github/image-assurance.yml',
      'GET /api/v3/repos/Codertocat/hello-world-npm/contents/.github/image-assurance.yml',
      'POST /api/v3/repos/Codertocat/hello-world-npm/check-runs',
    ]);
    // The second job reuses the installation token.
    expect(seen.filter((request) => request.path.endsWith('/access_tokens'))).toHaveLength(1);
    expect(app.output()).toContain('"deliveryId":"proxied-1","event":"registry_package","status":202');
    const lines = app.output().split('\n').filter((line) => line.startsWith('{'));
    expect(lines.length).toBeGreaterThan(5);
    for (const line of lines) expect(JSON.stringify(JSON.parse(line))).toBe(line);
    expect(code).toBe(0);
    expect(existsSync(join(folder, '.data/dynalite'))).toBe(true);
  }, 120_000);

  it('serves the set-up page when no credentials are set, on HOST', async () => {
    const folder = folderWithEnv('no-credentials', { PORT: '0', HOST: '127.0.0.1', WEBHOOK_PROXY_URL: `${smee.url}/channel-setup` });
    const app = start({}, folder);
    const url = await waitFor('the set-up line', () => /"url":"(http:\/\/127\.0\.0\.1:\d+)".*open http/.exec(app.output())?.[1], app.output);

    const page = await fetch(`${url}/`);
    const webhook = await fetch(`${url}/webhooks`, { method: 'POST', body: '{}' });
    app.signal('SIGTERM');
    const code = await app.exit;

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('https://github.com/settings/apps/new?state=');
    expect(webhook.status).toBe(503);
    expect(code).toBe(0);
  }, 60_000);

  it('gives a job in flight a grace period on SIGTERM, then exits 1 naming it unfinished', async () => {
    isHoldingCheckRuns = true;
    const folder = folderWithEnv('in-flight', CREDENTIALS());
    const app = start({}, folder);
    const url = await waitFor('the listening line', () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(app.output())?.[1], app.output);
    const before = seen.length;
    const delivery = await publishedDelivery('held-1');
    await fetch(`${url}/webhooks`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    await waitFor('the held check run', () => (seen.slice(before).some((request) => request.path === `${REPO_PATH}/check-runs`) ? true : undefined), app.output);

    app.signal('SIGTERM');
    const code = await app.exit;

    expect(code).toBe(1);
    expect(app.output()).toContain('"unfinished":1');
    expect(app.output()).toContain('stopped with jobs unfinished');
  }, 60_000);

  it('exits at once on a second Ctrl-C', async () => {
    isHoldingCheckRuns = true;
    const folder = folderWithEnv('forced', CREDENTIALS());
    const app = start({}, folder);
    const url = await waitFor('the listening line', () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(app.output())?.[1], app.output);
    const before = seen.length;
    const delivery = await publishedDelivery('held-2');
    await fetch(`${url}/webhooks`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    await waitFor('the held check run', () => (seen.slice(before).some((request) => request.path === `${REPO_PATH}/check-runs`) ? true : undefined), app.output);

    app.signal('SIGINT');
    await waitFor('the stopping line', () => (app.output().includes('stopping: finishing') ? true : undefined), app.output);
    app.signal('SIGINT');
    const code = await app.exit;

    expect(code).toBe(130);
    expect(app.output()).toContain('stopping now, without waiting for the jobs');
  }, 60_000);

  it('lists every missing variable in one message and exits 2 without a stack trace', async () => {
    const app = start({ APP_ID: '12', GHE_PROTOCOL: 'ftp' });

    const code = await app.exit;

    expect(code).toBe(2);
    expect(app.output()).not.toContain('APP_ID');
    expect(app.output()).toContain('PRIVATE_KEY or PRIVATE_KEY_PATH');
    expect(app.output()).toContain('WEBHOOK_SECRET');
    expect(app.output()).toContain('GHE_PROTOCOL: https or http, not "ftp"');
    expect(app.output()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
