import { readLambdaConfig } from '../src/env.ts';
import { createDynamoClient, DynamoStore } from '../src/store/dynamo.ts';
import type { Store } from '../src/store/store.ts';
import { receiveWebhook } from '../src/webhook/receive.ts';
import type { HttpApiEvent, HttpApiResult } from './lib/aws-events.ts';
import { getParameters } from './lib/secrets.ts';

/**
 * `POST /webhooks` (HTTP API): verify, record the delivery, store the job, answer 202. The worker
 * runs the job from the table's stream. Imports stay tiny (no probot, no engine) so a cold start
 * answers well within GitHub's 10 seconds.
 */

export interface WebhooksDeps {
  store: Store;
  /** The webhook secret; resolved once and cached by the caller. */
  secret: () => Promise<string>;
  /** The previous secret while a rotation overlaps (README "Operate"), else undefined. */
  previousSecret?: () => Promise<string | undefined>;
  now: () => Date;
  /** One JSON line per delivery (CloudWatch): the delivery ID, event and answer. console.log by default. */
  logLine?: (line: string) => void;
}

export function createWebhooksHandler(deps: WebhooksDeps): (event: HttpApiEvent) => Promise<HttpApiResult> {
  return async function handleWebhook(event) {
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const secret = await deps.secret();
    const previousSecret = await deps.previousSecret?.();
    const response = await receiveWebhook(
      { headers: event.headers ?? {}, body },
      { secret, ...(previousSecret === undefined ? {} : { previousSecret }), store: deps.store, now: deps.now },
    );
    // The delivery ID GitHub shows under the App's "Recent Deliveries"; the worker logs it too.
    (deps.logLine ?? console.log)(
      JSON.stringify({ level: 'info', msg: 'webhook received', deliveryId: headerOf(event, 'x-github-delivery'), event: headerOf(event, 'x-github-event'), statusCode: response.statusCode, answer: response.body }),
    );
    return { statusCode: response.statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: response.body };
  };
}

function headerOf(event: HttpApiEvent, name: string): string | undefined {
  return Object.entries(event.headers ?? {}).find(([key]) => key.toLowerCase() === name)?.[1];
}

let coldStart: Promise<(event: HttpApiEvent) => Promise<HttpApiResult>> | undefined;

/** Built once per cold start: config from the environment, the secret from SSM. */
async function createFromEnvironment(): Promise<(event: HttpApiEvent) => Promise<HttpApiResult>> {
  const config = readLambdaConfig(process.env);
  const store = new DynamoStore({
    client: createDynamoClient({ region: config.region, ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }) }),
    tableName: config.tableName,
  });
  const { webhookSecret: name, webhookSecretPrevious: previousName } = config.parameters;
  const values = await getParameters([name], config.ssm, previousName === undefined ? [] : [previousName]);
  const secret = values[name] ?? '';
  const previous = previousName === undefined ? undefined : values[previousName];
  return createWebhooksHandler({ store, secret: async () => secret, previousSecret: async () => previous, now: () => new Date() });
}

export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  coldStart ??= createFromEnvironment().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
}
