import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Logger } from 'probot';
import type { AppCredentials, LocalConfig, SetupConfig } from '../env.ts';
import { createWorker } from '../worker/worker.ts';
import { createDirectoryBlobStore } from '../store/blobs.ts';
import { createDynamoClient, DynamoStore } from '../store/dynamo.ts';
import { ensureTable, startDynalite } from '../store/dynalite.ts';
import { receiveWebhook } from '../webhook/receive.ts';
import { updateEnvFile } from './env-file.ts';
import { createJobQueue, type JobQueue } from './job-queue.ts';
import { buildManifest, SETUP_CALLBACK_PATH } from './manifest.ts';
import { createSetupState, exchangeManifestCode, isSetupState, newAppUrl, renderErrorPage, renderRunningPage, renderSetupPage, SetupError } from './setup.ts';
import { createProxyChannel, startWebhookProxy, type WebhookProxy } from './webhook-proxy.ts';

/** What one job may take under `npm start`, as the worker Lambda's timeout (serverless.yml) allows. */
export const LOCAL_JOB_BUDGET_MS = 300_000;

/**
 * `npm start`: the Lambda code path in one process. POST /webhooks goes through the same
 * receiveWebhook as the `webhooks` function, into the same DynamoDB store (dynalite on loopback
 * unless DYNAMODB_ENDPOINT is set), and the stored job is run by the same worker, from an
 * in-process queue instead of the table's stream. Without credentials, `/` is the set-up page
 * (src/local/setup.ts); once GitHub created the app, the same process runs it.
 */

/** https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

/** How long a stop waits for the job in flight and the queued ones before it leaves them. */
export const STOP_GRACE_MS = 8_000;

const APP_YML = join(fileURLToPath(import.meta.url), '../../../app.yml');

export interface LocalApp {
  /** `http://<host>:<port>`. */
  url: string;
  port: number;
  /** Whether the app runs (credentials given or set up), not only the set-up page. */
  readonly isRunning: boolean;
  /**
   * Stops taking deliveries, waits up to `graceMs` for the queued jobs, stops dynalite. Resolves
   * with the number of jobs left unfinished.
   */
  stop(options?: { graceMs?: number }): Promise<{ unfinished: number }>;
}

export interface LocalAppOptions {
  /** Where the set-up page writes the credentials. */
  envFile: string;
  /** smee.io's channel maker (tests: a loopback one). */
  newChannelUrl?: string;
}

interface Runtime {
  queue: JobQueue;
  credentials: AppCredentials;
  webhook(headers: Record<string, string | undefined>, body: string): Promise<{ statusCode: number; body: string }>;
  close(): Promise<void>;
}

export async function startLocalApp(config: SetupConfig & Partial<AppCredentials>, log: Logger, options: LocalAppOptions = { envFile: '.env' }): Promise<LocalApp> {
  let runtime: Runtime | undefined = hasCredentials(config) ? await startRuntime(config, log) : undefined;
  let appUrl: string | undefined;
  let proxy: WebhookProxy | undefined;
  let webhookProxyUrl = config.webhookProxyUrl;
  const state = createSetupState();
  let isExchanging = false;
  let channelProblem: string | undefined;

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const url = new URL(request.url ?? '/', 'http://localhost');
    if (request.method === 'GET' && url.pathname === '/healthz') {
      return send(response, 200, JSON.stringify({ status: runtime ? 'ok' : 'setup', queued: runtime?.queue.pending ?? 0 }), 'application/json');
    }
    if (request.method === 'POST' && url.pathname === '/webhooks') {
      const body = await readBody(request, GITHUB_MAX_PAYLOAD_BYTES);
      if (body === undefined) return send(response, 413, 'payload too large');
      if (!runtime) return send(response, 503, `not set up yet: open ${address.url}/ to create the GitHub App`);
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
      const result = await runtime.webhook(headers, body);
      return send(response, result.statusCode, result.body);
    }
    if (request.method === 'GET' && url.pathname === '/') {
      if (runtime) {
        return send(response, 200, renderRunningPage({ appId: runtime.credentials.appId, queued: runtime.queue.pending, ...(webhookProxyUrl ? { webhookProxyUrl } : {}), ...(appUrl ? { appUrl } : {}) }), HTML);
      }
      const serverUrl = serverUrlOf(request) ?? address.url;
      await ensureProxy();
      const manifest = buildManifest(readFileSync(APP_YML, 'utf8'), { serverUrl, ...(webhookProxyUrl ? { webhookUrl: webhookProxyUrl } : {}) });
      return send(
        response,
        200,
        renderSetupPage({
          manifest,
          action: newAppUrl(config.webUrl, state, config.organization),
          webUrl: config.webUrl,
          state,
          isProxied: webhookProxyUrl !== undefined,
          ...(config.organization ? { organization: config.organization } : {}),
          ...(channelProblem ? { notice: channelProblem } : {}),
        }),
        HTML,
      );
    }
    if (request.method === 'GET' && url.pathname === SETUP_CALLBACK_PATH) {
      if (runtime) return redirect(response, '/');
      const code = url.searchParams.get('code');
      if (!isSetupState(state, url.searchParams.get('state'))) return send(response, 400, renderErrorPage('This link was not started from this set-up page (its state does not match): open / and create the app from there.'), HTML);
      if (!code) return send(response, 400, renderErrorPage('GitHub sent no code.'), HTML);
      if (isExchanging) return send(response, 409, renderErrorPage('The app is being set up already: reload / in a moment.'), HTML);
      isExchanging = true;
      try {
        const created = await exchangeManifestCode(code, { ...(config.baseUrl ? { baseUrl: config.baseUrl } : {}), webUrl: config.webUrl });
        const credentials = { appId: created.appId, privateKey: created.privateKey, webhookSecret: created.webhookSecret };
        updateEnvFile(options.envFile, {
          APP_ID: credentials.appId,
          PRIVATE_KEY: credentials.privateKey,
          WEBHOOK_SECRET: credentials.webhookSecret,
          ...(webhookProxyUrl ? { WEBHOOK_PROXY_URL: webhookProxyUrl } : {}),
        });
        log.info({ appId: created.appId, app: created.htmlUrl, envFile: options.envFile }, 'GitHub App created; credentials written');
        runtime = await startRuntime({ ...config, ...credentials }, log);
        appUrl = created.htmlUrl;
        return redirect(response, `${created.htmlUrl}/installations/new`);
      } catch (error) {
        if (!(error instanceof SetupError)) throw error;
        log.warn({ err: error }, 'set-up failed');
        return send(response, 502, renderErrorPage(error.message), HTML);
      } finally {
        isExchanging = false;
      }
    }
    send(response, 404, 'not found');
  }

  /** The set-up page needs a webhook URL GitHub can reach: a new smee.io channel unless one is set. */
  async function ensureProxy(): Promise<void> {
    if (webhookProxyUrl || channelProblem) return;
    try {
      webhookProxyUrl = await createProxyChannel(options.newChannelUrl);
      log.info({ webhookProxyUrl }, 'created a webhook proxy channel');
      proxy = await startProxy(webhookProxyUrl);
    } catch (error) {
      channelProblem = `No smee.io channel could be created (${error instanceof Error ? error.message : String(error)}): set WEBHOOK_PROXY_URL and restart.`;
      log.warn({ err: error }, 'could not create a webhook proxy channel');
    }
  }

  async function startProxy(source: string): Promise<WebhookProxy | undefined> {
    try {
      return await startWebhookProxy({ source, target: `${address.url}/webhooks`, log });
    } catch (error) {
      log.warn({ err: error, source }, 'the webhook proxy did not connect; deliveries are not forwarded');
      return undefined;
    }
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      log.error({ err: error }, 'request failed');
      if (!response.headersSent) send(response, 500, 'internal error');
      else response.destroy();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(config.port, config.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  const address = { port, url: `http://${config.host.includes(':') ? `[${config.host}]` : config.host}:${port}` };
  if (webhookProxyUrl) proxy = await startProxy(webhookProxyUrl);

  return {
    ...address,
    get isRunning() {
      return runtime !== undefined;
    },
    async stop({ graceMs = STOP_GRACE_MS } = {}) {
      await proxy?.stop();
      const closed = new Promise<void>((resolve) => server.close(() => resolve()));
      server.closeIdleConnections();
      let unfinished = 0;
      if (runtime) {
        const drained = await Promise.race([runtime.queue.drain().then(() => true), delay(graceMs).then(() => false)]);
        unfinished = drained ? 0 : runtime.queue.pending;
        if (drained) await runtime.close();
      }
      server.closeAllConnections();
      await closed;
      return { unfinished };
    },
  };
}

/** The store, the worker and the queue of an app with credentials. */
async function startRuntime(config: LocalConfig, log: Logger): Promise<Runtime> {
  const dynalite = config.dynamodbEndpoint === undefined ? await startDynalite({ path: config.dataDir }) : undefined;
  const client = createDynamoClient({ region: config.region, endpoint: config.dynamodbEndpoint ?? dynalite!.endpoint });
  await ensureTable(client, config.tableName);
  // Facts too large for an item: files beside dynalite's, under DATA_DIR.
  const store = new DynamoStore({ client, tableName: config.tableName, blobs: createDirectoryBlobStore(join(config.dataDir, 'facts')) });
  const worker = await createWorker({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    store,
    log,
  });
  // The local equivalent of the Lambda's deadline: each job gets the worker function's 300 s.
  const queue = createJobQueue((job) => {
    const deadline = Date.now() + LOCAL_JOB_BUDGET_MS;
    return worker.runJob(job, { remainingMs: () => deadline - Date.now() });
  }, log);
  return {
    queue,
    credentials: { appId: config.appId, privateKey: config.privateKey, webhookSecret: config.webhookSecret },
    async webhook(headers, body) {
      const result = await receiveWebhook({ headers, body }, { secret: config.webhookSecret, store, now: () => new Date() });
      log.info({ deliveryId: headers['x-github-delivery'], event: headers['x-github-event'], status: result.statusCode }, 'webhook received');
      if (result.job) queue.push(result.job);
      return result;
    },
    async close() {
      client.destroy();
      await dynalite?.stop();
    },
  };
}

function hasCredentials(config: SetupConfig & Partial<AppCredentials>): config is LocalConfig {
  return config.appId !== undefined && config.privateKey !== undefined && config.webhookSecret !== undefined;
}

/** `http://<Host header>` when it is a plain host[:port], the URL the browser used to reach this page. */
function serverUrlOf(request: IncomingMessage): string | undefined {
  const host = request.headers.host;
  return host !== undefined && /^([\w.-]+|\[[0-9a-fA-F:]+\])(:\d{1,5})?$/.test(host) ? `http://${host}` : undefined;
}

const HTML = 'text/html; charset=utf-8';

function send(response: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type }).end(body);
}

function redirect(response: ServerResponse, location: string): void {
  response.writeHead(302, { location, 'content-type': 'text/plain; charset=utf-8' }).end(`Found: ${location}`);
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms).unref());
}

/** The body as text, or undefined when it exceeds `maxBytes`. */
async function readBody(request: IncomingMessage, maxBytes: number): Promise<string | undefined> {
  const decoder = new TextDecoder('utf-8');
  let text = '';
  let size = 0;
  for await (const chunk of request as AsyncIterable<Uint8Array>) {
    size += chunk.byteLength;
    if (size > maxBytes) return undefined;
    text += decoder.decode(chunk, { stream: true });
  }
  return text + decoder.decode();
}
