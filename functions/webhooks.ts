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
  now: () => Date;
}

export function createWebhooksHandler(deps: WebhooksDeps): (event: HttpApiEvent) => Promise<HttpApiResult> {
  return async function handleWebhook(event) {
    const raw = event.body ?? '';
    const body = event.isBase64Encoded ? Buffer.from(raw, 'base64').toString('utf8') : raw;
    const secret = await deps.secret();
    const response = await receiveWebhook({ headers: event.headers ?? {}, body }, { secret, store: deps.store, now: deps.now });
    return { statusCode: response.statusCode, headers: { 'content-type': 'text/plain; charset=utf-8' }, body: response.body };
  };
}

let coldStart: Promise<(event: HttpApiEvent) => Promise<HttpApiResult>> | undefined;

/** Built once per cold start: config from the environment, the secret from SSM. */
async function createFromEnvironment(): Promise<(event: HttpApiEvent) => Promise<HttpApiResult>> {
  const config = readLambdaConfig(process.env);
  const store = new DynamoStore({
    client: createDynamoClient({ region: config.region, ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }) }),
    tableName: config.tableName,
  });
  const name = config.parameters.webhookSecret;
  const values = await getParameters([name], config.ssm);
  const secret = values[name] ?? '';
  return createWebhooksHandler({ store, secret: async () => secret, now: () => new Date() });
}

export async function handler(event: HttpApiEvent): Promise<HttpApiResult> {
  coldStart ??= createFromEnvironment().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
}
