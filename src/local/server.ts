import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Logger } from 'probot';
import type { LocalConfig } from '../env.ts';
import { createWorker } from '../job/run-job.ts';
import { createDynamoClient, DynamoStore } from '../store/dynamo.ts';
import { ensureTable, startDynalite, type RunningDynalite } from '../store/dynalite.ts';
import { receiveWebhook } from '../webhook/receive.ts';
import { createJobQueue } from './job-queue.ts';

/**
 * `npm start`: the Lambda code path in one process. POST /webhooks goes through the same
 * receiveWebhook as the `webhooks` function, into the same DynamoDB store (dynalite on loopback
 * unless DYNAMODB_ENDPOINT is set), and the stored job is run by the same worker, from an
 * in-process queue instead of the table's stream.
 */

/** https://docs.github.com/en/webhooks/webhook-events-and-payloads#payload-cap */
export const GITHUB_MAX_PAYLOAD_BYTES = 25 * 1024 * 1024;

export interface LocalApp {
  /** `http://127.0.0.1:<port>`. */
  url: string;
  port: number;
  /** Stops taking deliveries, finishes the queued jobs, stops dynalite. */
  stop(): Promise<void>;
}

export async function startLocalApp(config: LocalConfig, log: Logger): Promise<LocalApp> {
  const dynalite: RunningDynalite | undefined =
    config.dynamodbEndpoint === undefined ? await startDynalite({ path: config.dataDir }) : undefined;
  const endpoint = config.dynamodbEndpoint ?? dynalite!.endpoint;
  const client = createDynamoClient({ region: config.region, endpoint });
  await ensureTable(client, config.tableName);
  const store = new DynamoStore({ client, tableName: config.tableName });

  const worker = await createWorker({
    appId: config.appId,
    privateKey: config.privateKey,
    secret: config.webhookSecret,
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    store,
    log,
  });
  const queue = createJobQueue((job) => worker.runJob(job), log);

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = (request.url ?? '/').split('?')[0];
    if (request.method === 'GET' && path === '/healthz') {
      return send(response, 200, JSON.stringify({ status: 'ok', queued: queue.pending }), 'application/json');
    }
    if (request.method === 'POST' && path === '/webhooks') {
      const body = await readBody(request, GITHUB_MAX_PAYLOAD_BYTES);
      if (body === undefined) return send(response, 413, 'payload too large');
      const headers = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, Array.isArray(value) ? value[0] : value]));
      const result = await receiveWebhook({ headers, body }, { secret: config.webhookSecret, store, now: () => new Date() });
      log.info({ deliveryId: headers['x-github-delivery'], event: headers['x-github-event'], status: result.statusCode }, 'webhook received');
      send(response, result.statusCode, result.body);
      if (result.job) queue.push(result.job);
      return;
    }
    send(response, 404, 'not found');
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
    server.listen(config.port, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    async stop() {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeIdleConnections();
      });
      await queue.drain();
      client.destroy();
      await dynalite?.stop();
    },
  };
}

function send(response: ServerResponse, status: number, body: string, type = 'text/plain; charset=utf-8'): void {
  response.writeHead(status, { 'content-type': type }).end(body);
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
