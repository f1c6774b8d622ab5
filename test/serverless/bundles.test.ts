import { execFile } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { signedDelivery, TEST_WEBHOOK_SECRET } from '../helpers/sign.ts';
import { jobKey, streamRecordOf } from '../functions/stream-event.ts';

/**
 * The bundles as Lambda runs them: plain `node` importing the minified .mjs from its own folder
 * (policies/ beside it), secrets from a fake SSM, the table on dynalite, GitHub faked on loopback.
 * Built into a folder of this suite's own (scripts/package.mjs --no-osls --out-dir) so that it
 * never races the template test.
 */

const root = resolve(fileURLToPath(import.meta.url), '../../..');
const outDir = mkdtempSync(join(tmpdir(), 'ia-bundles-'));
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const REPO_PATH = '/api/v3/repos/Codertocat/hello-world-npm';

let table: TestTable;
let fake: Server;
let fakeUrl: string;
const githubRequests: string[] = [];

beforeAll(async () => {
  await run(process.execPath, [join(root, 'scripts/package.mjs'), '--no-osls', '--out-dir', outDir]);
  table = await startTestTable();
  fake = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString('utf8')));
    request.on('end', () => {
      const path = decodeURIComponent(request.url ?? '');
      const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (request.headers['x-amz-target'] === 'AmazonSSM.GetParameters') {
        const values: Record<string, string> = { '/ia/app-id': '1', '/ia/private-key': privateKey, '/ia/webhook-secret': TEST_WEBHOOK_SECRET };
        const { Names } = JSON.parse(text) as { Names: string[] };
        return reply(200, { Parameters: Names.map((name) => ({ Name: name, Value: values[name] })) });
      }
      githubRequests.push(`${request.method} ${path.split('?')[0]}`);
      if (path === '/api/v3/app/installations/77/access_tokens') return reply(201, { token: 'ghs_bundle', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
      if (path.startsWith(`${REPO_PATH}/contents/`)) return reply(404, { message: 'Not Found' });
      if (path === '/api/v3/repos/Codertocat/.github/contents/.github/image-assurance.yml') return reply(404, { message: 'Not Found' });
      if (path === `${REPO_PATH}/check-runs`) return reply(201, { id: 5, html_url: 'http://github.local/check/5' });
      reply(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((done) => fake.listen(0, '127.0.0.1', done));
  fakeUrl = `127.0.0.1:${(fake.address() as AddressInfo).port}`;
}, 120_000);
afterAll(async () => {
  await table?.stop();
  await new Promise((done) => fake.close(done));
  rmSync(outDir, { recursive: true, force: true });
});

function run(command: string, args: string[], env?: Record<string, string>, input?: string): Promise<string> {
  return new Promise((done, fail) => {
    const child = execFile(command, args, { cwd: tmpdir(), env: env ?? process.env, timeout: 60_000 }, (error, stdout, stderr) => {
      if (error) fail(new Error(`${error.message}\n${stderr}`));
      else done(stdout);
    });
    if (input !== undefined) child.stdin?.end(input);
  });
}

/** Invokes `handler` of a bundle in a fresh node process, the event on stdin, the result as JSON. */
async function invoke(name: 'webhooks' | 'worker', tableName: string, event: unknown): Promise<unknown> {
  const url = pathToFileURL(join(outDir, name, `${name}.mjs`)).href;
  const script = `let input='';for await (const c of process.stdin) input+=c;const { handler } = await import(${JSON.stringify(url)});console.log(JSON.stringify(await handler(JSON.parse(input))));`;
  const stdout = await run(
    process.execPath,
    ['--input-type=module', '-e', script],
    {
      PATH: process.env['PATH'] ?? '',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      AWS_REGION: 'us-east-1',
      AWS_ACCESS_KEY_ID: 'fake',
      AWS_SECRET_ACCESS_KEY: 'fake',
      TABLE_NAME: tableName,
      DYNAMODB_ENDPOINT: table.endpoint,
      SSM_ENDPOINT: `http://${fakeUrl}/`,
      APP_ID_PARAMETER: '/ia/app-id',
      PRIVATE_KEY_PARAMETER: '/ia/private-key',
      WEBHOOK_SECRET_PARAMETER: '/ia/webhook-secret',
      GHE_HOST: fakeUrl,
      GHE_PROTOCOL: 'http',
      LOG_LEVEL: 'fatal',
    },
    JSON.stringify(event),
  );
  return JSON.parse(stdout.trim().split('\n').at(-1) ?? 'null') as unknown;
}

describe('scripts/package.mjs bundles', () => {
  it('runs a delivery through the bundled webhooks and worker handlers to a check run', async () => {
    const store = await table.newStore();
    const payload = { ...readFixtureJson<Record<string, unknown>>('webhooks/registry_package.published.json'), installation: { id: 77 } };
    const delivery = await signedDelivery('registry_package', payload, { id: 'bundle-1' });
    const headers = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]));

    const ack = await invoke('webhooks', store.tableName, { version: '2.0', routeKey: 'POST /webhooks', headers, body: Buffer.from(delivery.body).toString('base64'), isBase64Encoded: true });
    const record = await streamRecordOf(table, store.tableName, jobKey('bundle-1'));
    const result = await invoke('worker', store.tableName, { Records: [record] });

    expect(ack).toMatchObject({ statusCode: 202 });
    expect(result).toEqual({ batchItemFailures: [] });
    // The repository's and the organization's policy files are read in parallel: in either order.
    expect([githubRequests[0], ...githubRequests.slice(1, 3).sort(), ...githubRequests.slice(3)]).toEqual([
      'POST /api/v3/app/installations/77/access_tokens',
      'GET /api/v3/repos/Codertocat/.github/contents/.github/image-assurance.yml',
      'GET /api/v3/repos/Codertocat/hello-world-npm/contents/.github/image-assurance.yml',
      'POST /api/v3/repos/Codertocat/hello-world-npm/check-runs',
    ]);
    expect((await store.getCheckState('Codertocat/hello-world-npm', '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b'))?.value.sources).toEqual(['preset:baseline']);
  }, 120_000);
});
