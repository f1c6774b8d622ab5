import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pino } from 'pino';
import { parse } from 'yaml';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { readSetupConfig } from '../../src/env.ts';
import { readEnvFile } from '../../src/local/env-file.ts';
import { startLocalApp, type LocalApp } from '../../src/local/server.ts';
import { startFakeSmee, type FakeSmee } from '../helpers/fake-smee.ts';
import { createGitHubMock, type GitHubMock } from '../helpers/github-mock.ts';
import { signedDelivery } from '../helpers/sign.ts';

/**
 * The set-up page end to end in one process: `/` without credentials serves the manifest form,
 * GitHub's redirect with the code is exchanged (nock: POST /app-manifests/{code}/conversions),
 * `.env` gets the credentials, and the same server runs the app: `/` says so, and a delivery
 * forwarded through the (loopback) smee channel is checked with the new webhook secret.
 */

const appYml = parse(readFileSync(join(import.meta.dirname, '../../app.yml'), 'utf8')) as Record<string, any>;
const pem = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();

let dir: string;
let github: GitHubMock;
let smee: FakeSmee;
let app: LocalApp | undefined;
let logLines: Record<string, unknown>[];

beforeEach(async () => {
  dir = mkdtempSync(join(tmpdir(), 'ia-setup-'));
  github = createGitHubMock({ allowLoopback: true });
  smee = await startFakeSmee();
  logLines = [];
});

afterEach(async () => {
  await app?.stop({ graceMs: 5_000 });
  app = undefined;
  await smee.close();
  github.restore();
  rmSync(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<LocalApp> {
  const config = readSetupConfig({ PORT: '0', DATA_DIR: join(dir, 'dynalite'), ...env });
  const log = pino({ level: 'info' }, { write: (line: string) => logLines.push(JSON.parse(line) as Record<string, unknown>) });
  app = await startLocalApp(config, log, { envFile: join(dir, '.env'), newChannelUrl: `${smee.url}/new` });
  return app;
}

/** The form's action and the manifest it posts, from the set-up page. */
function formOf(html: string): { action: string; manifest: Record<string, any> } {
  const action = /<form id="create" action="([^"]+)"/.exec(html)?.[1];
  const manifest = /name="manifest" value="([^"]+)"/.exec(html)?.[1];
  expect(action).toBeDefined();
  expect(manifest).toBeDefined();
  const unescape = (text: string) => text.replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)));
  return { action: unescape(action!), manifest: JSON.parse(unescape(manifest!)) as Record<string, any> };
}

describe('src/local/setup.ts', () => {
  it('creates the app through the manifest flow, writes .env and runs the app with the new credentials', async () => {
    writeFileSync(join(dir, '.env'), '# kept\nLOG_LEVEL=debug\n');
    const local = await start();
    const setupPage = await fetch(`${local.url}/`);
    const { action, manifest } = formOf(await setupPage.text());
    const state = new URL(action).searchParams.get('state')!;
    github.api
      .post('/app-manifests/code-123/conversions')
      .reply(201, { id: 4242, slug: 'image-assurance-test', name: 'Image Assurance', html_url: 'https://github.com/apps/image-assurance-test', pem, webhook_secret: 'new-secret', client_id: 'Iv1.x', client_secret: 'cs', owner: { login: 'octo-org' } });

    const callback = await fetch(`${local.url}/setup/callback?code=code-123&state=${state}`, { redirect: 'manual' });
    const runningPage = await fetch(`${local.url}/`);
    await smee.listening(smee.channels[0]!);
    const ping = await signedDelivery('ping', { zen: 'Design for failure.', hook_id: 1 }, { id: 'ping-1', secret: 'new-secret' });
    smee.deliver(smee.channels[0]!, ping);
    const forged = await signedDelivery('ping', { zen: 'forged' }, { id: 'ping-2', secret: 'guessed' });
    smee.deliver(smee.channels[0]!, forged);
    await waitFor(() => logLines.filter((line) => line['msg'] === 'webhook received').length === 2);

    github.assertDone();
    expect(setupPage.status).toBe(200);
    expect(new URL(action).origin + new URL(action).pathname).toBe('https://github.com/settings/apps/new');
    expect(manifest).toEqual({
      name: appYml.name,
      url: appYml.url,
      description: appYml.description,
      public: false,
      default_permissions: appYml.default_permissions,
      default_events: appYml.default_events,
      hook_attributes: { url: smee.channels[0], active: true },
      redirect_url: `${local.url}/setup/callback`,
    });
    expect(callback.status).toBe(302);
    expect(callback.headers.get('location')).toBe('https://github.com/apps/image-assurance-test/installations/new');
    const env = readEnvFile(join(dir, '.env'));
    expect(env).toEqual({ LOG_LEVEL: 'debug', APP_ID: '4242', PRIVATE_KEY: pem, WEBHOOK_SECRET: 'new-secret', WEBHOOK_PROXY_URL: smee.channels[0] });
    expect(readFileSync(join(dir, '.env'), 'utf8')).toMatch(/^# kept\n/);
    expect(statSync(join(dir, '.env')).mode & 0o777).toBe(0o600);
    expect(local.isRunning).toBe(true);
    expect(await runningPage.text()).toContain('Image Assurance is running');
    const received = logLines.filter((line) => line['msg'] === 'webhook received').map((line) => [line['deliveryId'], line['status']]);
    expect(received.sort()).toEqual([
      ['ping-1', 200],
      ['ping-2', 401],
    ]);
  }, 60_000);

  it('refuses a redirect that this page did not start, and exchanges nothing', async () => {
    const local = await start({ WEBHOOK_PROXY_URL: `${smee.url}/channel-given` });
    const { action, manifest } = formOf(await (await fetch(`${local.url}/`)).text());

    const callback = await fetch(`${local.url}/setup/callback?code=stolen&state=${'0'.repeat(32)}`, { redirect: 'manual' });

    github.assertDone();
    expect(callback.status).toBe(400);
    expect(await callback.text()).toContain('state does not match');
    expect(manifest.hook_attributes.url).toBe(`${smee.url}/channel-given`);
    expect(smee.channels).toEqual([]);
    expect(new URL(action).searchParams.get('state')).toMatch(/^[0-9a-f]{32}$/);
    expect(readEnvFile(join(dir, '.env'))).toEqual({});
    expect(local.isRunning).toBe(false);
  });

  it('says what went wrong when GitHub refuses the code, and registers under GH_ORG on GitHub Enterprise Server', async () => {
    const local = await start({ GHE_HOST: 'ghe.example.com', GH_ORG: 'acme', WEBHOOK_PROXY_URL: `${smee.url}/channel-given` });
    const { action } = formOf(await (await fetch(`${local.url}/`)).text());
    const state = new URL(action).searchParams.get('state')!;
    const ghe = github.host('https://ghe.example.com');
    ghe.post('/api/v3/app-manifests/expired/conversions').reply(404, { message: 'Not Found' });

    const callback = await fetch(`${local.url}/setup/callback?code=expired&state=${state}`, { redirect: 'manual' });

    github.assertDone();
    expect(action).toBe(`https://ghe.example.com/organizations/acme/settings/apps/new?state=${state}`);
    expect(callback.status).toBe(502);
    expect(await callback.text()).toContain('GitHub did not turn the code into an app (HTTP 404');
    expect(local.isRunning).toBe(false);
  });
});

async function waitFor(condition: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 400 && !condition(); attempt++) await new Promise((done) => setTimeout(done, 25));
  expect(condition()).toBe(true);
}
