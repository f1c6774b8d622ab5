import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { signedDelivery, TEST_WEBHOOK_SECRET } from '../helpers/sign.ts';

/**
 * `npm start` for real: spawns `tsx src/local/main.ts` against a fake GitHub API on loopback
 * (GHE_HOST), posts a signed delivery, and watches what the fake GitHub receives.
 */

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const tsx = join(root, 'node_modules/.bin/tsx');
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
      if (request.method === 'POST' && path === `${REPO_PATH}/check-runs`) return reply(201, { id: 31, html_url: 'http://github.local/check/31' });
      reply(404, { message: `fake GitHub has no ${request.method} ${path}` });
    });
  });
  await new Promise<void>((done) => github.listen(0, '127.0.0.1', done));
  githubHost = `127.0.0.1:${(github.address() as AddressInfo).port}`;
  dataDir = mkdtempSync(join(tmpdir(), 'ia-local-'));
});
afterAll(async () => {
  await new Promise((done) => github.close(done));
  rmSync(dataDir, { recursive: true, force: true });
});

function start(env: Record<string, string>): { child: ChildProcessWithoutNullStreams; output: () => string; exit: Promise<number | null> } {
  const child = spawn(tsx, ['src/local/main.ts'], {
    cwd: root,
    env: { PATH: process.env['PATH'] ?? '', HOME: process.env['HOME'] ?? '', AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...env },
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString('utf8')));
  const exit = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
  return { child, output: () => output, exit };
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

describe('src/local/main.ts', () => {
  it('serves /healthz and webhooks, answers on the fake GitHub, and stops cleanly on SIGTERM', async () => {
    const app = start({
      APP_ID: '1',
      PRIVATE_KEY: privateKey,
      WEBHOOK_SECRET: TEST_WEBHOOK_SECRET,
      GHE_HOST: githubHost,
      GHE_PROTOCOL: 'http',
      PORT: '0',
      DATA_DIR: join(dataDir, 'dynalite'),
      LOG_LEVEL: 'info',
    });
    const url = await waitFor('the listening line', () => /"url":"(http:\/\/127\.0\.0\.1:\d+)"/.exec(app.output())?.[1], app.output);

    const health = await fetch(`${url}/healthz`);
    const payload = { ...readFixtureJson<Record<string, unknown>>('webhooks/registry_package.published.json'), installation: { id: 77 } };
    const delivery = await signedDelivery('registry_package', payload, { id: 'local-1' });
    const accepted = await fetch(`${url}/webhooks`, { method: 'POST', headers: delivery.headers, body: delivery.body });
    const rejected = await fetch(`${url}/webhooks`, { method: 'POST', headers: { ...delivery.headers, 'X-Hub-Signature-256': `sha256=${'0'.repeat(64)}` }, body: delivery.body });
    const checkRun = await waitFor('the check run on the fake GitHub', () => seen.find((request) => request.path === `${REPO_PATH}/check-runs`), app.output);
    app.child.kill('SIGTERM');
    const code = await app.exit;

    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ status: 'ok' });
    expect(accepted.status).toBe(202);
    expect(rejected.status).toBe(401);
    expect(checkRun.body).toMatchObject({ head_sha: '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b', conclusion: 'failure', name: 'image-assurance' });
    const requests = seen.map((request) => `${request.method} ${request.path.split('?')[0]}`);
    // The repository's and the organization's policy files are read in parallel: in either order.
    expect([requests[0], ...requests.slice(1, 3).sort(), ...requests.slice(3)]).toEqual([
      'POST /api/v3/app/installations/77/access_tokens',
      'GET /api/v3/repos/Codertocat/.github/contents/.github/image-assurance.yml',
      'GET /api/v3/repos/Codertocat/hello-world-npm/contents/.github/image-assurance.yml',
      'POST /api/v3/repos/Codertocat/hello-world-npm/check-runs',
    ]);
    expect(code).toBe(0);
    expect(existsSync(join(dataDir, 'dynalite'))).toBe(true);
  }, 120_000);

  it('lists every missing variable in one message and exits 2 without a stack trace', async () => {
    const app = start({ GHE_PROTOCOL: 'ftp' });

    const code = await app.exit;

    expect(code).toBe(2);
    expect(app.output()).toContain('APP_ID');
    expect(app.output()).toContain('PRIVATE_KEY or PRIVATE_KEY_PATH');
    expect(app.output()).toContain('WEBHOOK_SECRET');
    expect(app.output()).toContain('GHE_PROTOCOL: https or http, not "ftp"');
    expect(app.output()).not.toMatch(/\n\s+at /);
  }, 60_000);
});
