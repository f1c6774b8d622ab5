/**
 * The Lambda side of `npm run bench` (called from bench/run.ts):
 *   1. size of each bundled function (scripts/package.mjs --no-osls builds them fresh);
 *   2. import time of each bundle in a fresh node process vs a bare `node -e ''`, median of 10;
 *   3. webhook acknowledgement latency, p50/p99 over 1,000 signed deliveries through the webhooks
 *      handler into dynalite on loopback;
 *   4. delivery-to-check-run latency: webhooks handler → stored job → stream record → worker
 *      handler → the check run arriving at a fake GitHub API on loopback;
 *   5. worker time per workflow run (README "Operate" prices it): the three deliveries one workflow
 *      run sends (requested, in_progress, completed), each through the worker handler, the
 *      completed one judging a real Trivy report (juice-shop) from its artifact against
 *      preset:baseline; GitHub on loopback answers at once, so production adds its latency.
 * Goals: webhooks bundle ≤ 1 MB, worker ≤ 3 MB, ack p99 ≤ 50 ms on loopback.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import { sign } from '@octokit/webhooks-methods';
import { pino } from 'pino';
import { createWebhooksHandler } from '../functions/webhooks.ts';
import { createWorkerHandler } from '../functions/worker.ts';
import type { HttpApiEvent, StreamAttributeValue } from '../functions/lib/aws-events.ts';
import { createWorker } from '../src/worker/worker.ts';
import { createDynamoClient, DynamoStore } from '../src/store/dynamo.ts';
import { ensureTable, startDynalite } from '../src/store/dynalite.ts';
import { keys } from '../src/store/table.ts';

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const FIXTURES = resolve(ROOT, '../shared/fixtures/webhooks');
const MB = 1024 * 1024;
const SECRET = 'bench-secret';
const STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/bench-flow/stream/2026-11-26T00:00:00.000';
const FUNCTIONS = ['webhooks', 'worker'] as const;
export const GOALS = { webhooksBundleBytes: 1 * MB, workerBundleBytes: 3 * MB, ackP99Ms: 50 } as const;

export async function benchLambda(): Promise<Record<string, unknown>> {
  execFileSync(process.execPath, [join(ROOT, 'scripts/package.mjs'), '--no-osls'], { cwd: ROOT, stdio: 'pipe' });
  const bundles = Object.fromEntries(FUNCTIONS.map((name) => [name, bundleFigures(name)]));
  const importTimes = measureImportTimes();
  const ack = await measureAck(1_000);
  // Probot's octokit spaces content-creating requests (plugin-throttling: one write per second, as
  // GitHub asks), so back-to-back deliveries measure that spacing; the second figure turns it off
  // to show the app's own latency.
  const deliveryToCheck = await measureDeliveryToCheck(20, true);
  const deliveryToCheckUnthrottled = await measureDeliveryToCheck(100, false);
  const workflowRunJobs = await measureWorkflowRunJobs(30);
  return {
    bundles,
    importTimes,
    ack,
    deliveryToCheck,
    deliveryToCheckUnthrottled,
    workflowRunJobs,
    goals: {
      webhooksBundle: { limitBytes: GOALS.webhooksBundleBytes, bytes: bundles['webhooks']!.bytes, met: bundles['webhooks']!.bytes <= GOALS.webhooksBundleBytes },
      workerBundle: { limitBytes: GOALS.workerBundleBytes, bytes: bundles['worker']!.bytes, met: bundles['worker']!.bytes <= GOALS.workerBundleBytes },
      ackP99: { limitMs: GOALS.ackP99Ms, ms: ack.p99Ms, met: ack.p99Ms <= GOALS.ackP99Ms },
    },
  };
}

function bundleFigures(name: string): { bytes: number; zipBytes: number; mb: number } {
  const bytes = statSync(join(ROOT, '.esbuild', name, `${name}.mjs`)).size;
  const zipBytes = statSync(join(ROOT, '.esbuild', `${name}.zip`)).size;
  return { bytes, zipBytes, mb: round(bytes / MB, 3) };
}

/** Wall time of a fresh `node` importing each bundle vs a bare `node -e ''`; medians of 10. */
function measureImportTimes(): Record<string, unknown> {
  const runs = 10;
  const wall = (args: string[]) => {
    const times: number[] = [];
    for (let run = 0; run < runs; run++) {
      const start = performance.now();
      const result = spawnSync(process.execPath, args, { cwd: ROOT, stdio: 'pipe', env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' } });
      times.push(performance.now() - start);
      if (result.status !== 0) throw new Error(`node ${args.join(' ')} failed: ${result.stderr.toString()}`);
    }
    return median(times);
  };
  const bareMs = wall(['-e', '']);
  const figures: Record<string, unknown> = { bareNodeMs: round(bareMs, 1), runs };
  for (const name of FUNCTIONS) {
    const url = pathToFileURL(join(ROOT, '.esbuild', name, `${name}.mjs`)).href;
    const processMs = wall(['--input-type=module', '-e', `await import(${JSON.stringify(url)});`]);
    figures[name] = { processMs: round(processMs, 1), importMs: round(processMs - bareMs, 1), ratioToBareNode: round(processMs / bareMs, 2) };
  }
  return figures;
}

async function measureAck(count: number): Promise<{ deliveries: number; p50Ms: number; p99Ms: number; maxMs: number; statuses: Record<string, number> }> {
  const dynalite = await startDynalite();
  const client = createDynamoClient({ region: 'us-east-1', endpoint: dynalite.endpoint });
  try {
    await ensureTable(client, 'bench-ack');
    const store = new DynamoStore({ client, tableName: 'bench-ack' });
    const handle = createWebhooksHandler({ store, secret: async () => SECRET, now: () => new Date(), logLine: () => undefined });
    const body = JSON.stringify(await readPayload('workflow_run.completed.json'));
    const signature = await sign(SECRET, body);
    const events = Array.from({ length: count }, (_, index) => httpApiEvent('workflow_run', `ack-${index}`, body, signature));
    await handle(httpApiEvent('workflow_run', 'warm-up', body, signature));
    const times: number[] = [];
    const statuses: Record<string, number> = {};
    for (const event of events) {
      const start = performance.now();
      const result = await handle(event);
      times.push(performance.now() - start);
      statuses[result.statusCode] = (statuses[result.statusCode] ?? 0) + 1;
    }
    return { deliveries: count, p50Ms: round(percentile(times, 50), 2), p99Ms: round(percentile(times, 99), 2), maxMs: round(Math.max(...times), 2), statuses };
  } finally {
    client.destroy();
    await dynalite.stop();
  }
}

async function measureDeliveryToCheck(count: number, isThrottled: boolean): Promise<{ deliveries: number; p50Ms: number; p99Ms: number; checkRuns: number; isThrottled: boolean }> {
  let checkRuns = 0;
  const github = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      const path = decodeURIComponent(request.url ?? '');
      const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path.includes('/access_tokens')) return reply(201, { token: 'ghs_bench', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
      if (path.includes('/contents/')) return reply(404, { message: 'Not Found' });
      if (path.includes('/check-runs')) {
        checkRuns++;
        return reply(request.method === 'POST' ? 201 : 200, { id: 1, html_url: 'http://github.local/check/1' });
      }
      reply(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((done) => github.listen(0, '127.0.0.1', done));
  const dynalite = await startDynalite();
  const client = createDynamoClient({ region: 'us-east-1', endpoint: dynalite.endpoint });
  try {
    await ensureTable(client, 'bench-flow');
    const store = new DynamoStore({ client, tableName: 'bench-flow' });
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const worker = await createWorker({
      appId: 1,
      privateKey,
      secret: SECRET,
      baseUrl: `http://127.0.0.1:${(github.address() as AddressInfo).port}/api/v3`,
      store,
      log: pino({ level: 'silent' }),
      ...(isThrottled ? {} : { octokitDefaults: { throttle: { enabled: false } } }),
    });
    const receive = createWebhooksHandler({ store, secret: async () => SECRET, now: () => new Date(), logLine: () => undefined });
    const runStream = createWorkerHandler({ runJob: worker.runJob, store, log: pino({ level: 'silent' }), now: () => new Date() });
    const base = await readPayload('registry_package.published.json');
    const times: number[] = [];
    for (let index = 0; index <= count; index++) {
      const id = `flow-${index}`;
      const body = JSON.stringify({ ...(base as object), installation: { id: 7 } });
      const start = performance.now();
      const ack = await receive(httpApiEvent('registry_package', id, body, await sign(SECRET, body)));
      if (ack.statusCode !== 202) throw new Error(`delivery ${id} answered ${ack.statusCode}`);
      const { Item } = await client.send(new GetItemCommand({ TableName: 'bench-flow', Key: { pk: { S: keys.job(id).pk }, sk: { S: keys.job(id).sk } } }));
      const image = toStreamImage(Item ?? {});
      const result = await runStream({ Records: [{ eventName: 'INSERT', eventSourceARN: STREAM_ARN, dynamodb: { NewImage: image, SequenceNumber: String(100_000_000_000_000_000_000n + BigInt(index)) } }] });
      if (result.batchItemFailures.length > 0) throw new Error(`delivery ${id} failed in the worker`);
      if (index > 0) times.push(performance.now() - start);
    }
    return { deliveries: count, p50Ms: round(percentile(times, 50), 1), p99Ms: round(percentile(times, 99), 1), checkRuns, isThrottled };
  } finally {
    client.destroy();
    await dynalite.stop();
    await new Promise((done) => github.close(done));
  }
}

/** Worker handler time for each of a workflow run's three deliveries; medians over `count` runs. */
export async function measureWorkflowRunJobs(count: number): Promise<Record<string, unknown>> {
  const { zipSync } = await import('fflate');
  const { readFile } = await import('node:fs/promises');
  const report = await readFile(resolve(ROOT, '../shared/fixtures/scans/trivy/juice-shop-v10.2.0.json'));
  const zip = Buffer.from(zipSync({ 'trivy.json': new Uint8Array(report) }));
  let requests = 0;
  const github = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      requests++;
      const path = decodeURIComponent(request.url ?? '');
      const reply = (status: number, body: unknown) => response.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(body));
      if (path.includes('/access_tokens')) return reply(201, { token: 'ghs_bench', expires_at: '2099-01-01T00:00:00Z', permissions: {} });
      if (path.includes('/contents/')) return reply(404, { message: 'Not Found' });
      if (/\/actions\/runs\/\d+\/artifacts/.test(path)) return reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: zip.byteLength, expired: false }] });
      if (path.includes('/actions/artifacts/11/zip')) return response.writeHead(200, { 'content-type': 'application/zip', 'content-length': String(zip.byteLength) }).end(zip);
      if (path.includes('/check-runs')) return reply(request.method === 'POST' ? 201 : 200, { id: 1, html_url: 'http://github.local/check/1' });
      reply(404, { message: 'Not Found' });
    });
  });
  await new Promise<void>((done) => github.listen(0, '127.0.0.1', done));
  const dynalite = await startDynalite();
  const client = createDynamoClient({ region: 'us-east-1', endpoint: dynalite.endpoint });
  try {
    await ensureTable(client, 'bench-runs');
    const store = new DynamoStore({ client, tableName: 'bench-runs' });
    const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
    const worker = await createWorker({
      appId: 1,
      privateKey,
      baseUrl: `http://127.0.0.1:${(github.address() as AddressInfo).port}/api/v3`,
      store,
      log: pino({ level: 'silent' }),
      octokitDefaults: { throttle: { enabled: false } },
    });
    const runStream = createWorkerHandler({ runJob: worker.runJob, store, log: pino({ level: 'silent' }), now: () => new Date() });
    const completed = (await readPayload('workflow_run.completed.json')) as Record<string, any>;
    const times: Record<'requested' | 'in_progress' | 'completed', number[]> = { requested: [], in_progress: [], completed: [] };
    let sequence = 200_000_000_000_000_000_000n;
    for (let index = 0; index <= count; index++) {
      for (const action of ['requested', 'in_progress', 'completed'] as const) {
        const payload = structuredClone(completed);
        payload.action = action;
        payload.installation = { id: 7 };
        payload.workflow_run.id = 5_000 + index;
        payload.workflow_run.head_sha = (index + 1).toString(16).padStart(40, '0');
        payload.workflow_run.status = action === 'completed' ? 'completed' : action === 'requested' ? 'queued' : 'in_progress';
        const id = `run-${index}-${action}`;
        await store.putJob({ id, event: 'workflow_run', payload, receivedAt: new Date().toISOString() });
        const { Item } = await client.send(new GetItemCommand({ TableName: 'bench-runs', Key: { pk: { S: keys.job(id).pk }, sk: { S: keys.job(id).sk } } }));
        sequence += 1n;
        const start = performance.now();
        const result = await runStream({ Records: [{ eventName: 'INSERT', eventSourceARN: STREAM_ARN, dynamodb: { NewImage: toStreamImage(Item ?? {}), SequenceNumber: String(sequence) } }] });
        if (result.batchItemFailures.length > 0) throw new Error(`job ${id} failed in the worker`);
        if (index > 0) times[action].push(performance.now() - start);
      }
    }
    const figures = Object.fromEntries(Object.entries(times).map(([action, values]) => [action, { p50Ms: round(percentile(values, 50), 1), p99Ms: round(percentile(values, 99), 1) }]));
    return { runs: count, ...figures, githubRequestsPerRun: round(requests / (count + 1), 1) };
  } finally {
    client.destroy();
    await dynalite.stop();
    await new Promise((done) => github.close(done));
  }
}

function httpApiEvent(event: string, id: string, body: string, signature: string): HttpApiEvent {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks',
    headers: { 'x-github-event': event, 'x-github-delivery': id, 'x-hub-signature-256': signature, 'content-type': 'application/json' },
    body,
    isBase64Encoded: false,
  };
}

async function readPayload(name: string): Promise<unknown> {
  const { readFile } = await import('node:fs/promises');
  return JSON.parse(await readFile(join(FIXTURES, name), 'utf8')) as unknown;
}

function toStreamImage(item: Record<string, { S?: string; N?: string; B?: Uint8Array; BOOL?: boolean }>): Record<string, StreamAttributeValue> {
  const image: Record<string, StreamAttributeValue> = {};
  for (const [name, value] of Object.entries(item)) {
    if (value.B !== undefined) image[name] = { B: Buffer.from(value.B).toString('base64') };
    else if (value.S !== undefined) image[name] = { S: value.S };
    else if (value.N !== undefined) image[name] = { N: value.N };
    else if (value.BOOL !== undefined) image[name] = { BOOL: value.BOOL };
  }
  return image;
}

function median(values: number[]): number {
  return percentile(values, 50);
}

function percentile(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  const index = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[index] ?? Number.NaN;
}

function round(value: number, digits: number): number {
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  console.log(JSON.stringify(await benchLambda(), null, 2));
}
