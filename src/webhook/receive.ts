import { verify } from '@octokit/webhooks-methods';
import type { Job, Store } from '../store/store.ts';
import { isHandled } from '../events/handled-events.ts';

/**
 * Stage 1, receive: verify the signature, drop redeliveries, store the job. No GitHub calls, no
 * engine: the `webhooks` Lambda imports this alone and must answer within GitHub's 10 seconds.
 */

export interface WebhookRequest {
  headers: Record<string, string | undefined>;
  body: string;
}

export interface WebhookResponse {
  statusCode: number;
  body: string;
  job?: Job;
}

export async function receiveWebhook(
  request: WebhookRequest,
  deps: {
    secret: string;
    /** While a secret rotation overlaps, the previous secret: a delivery signed with either is accepted. */
    previousSecret?: string;
    store: Store;
    now: () => Date;
  },
): Promise<WebhookResponse> {
  const header = headerReader(request.headers);

  const signature = header('x-hub-signature-256');
  if (!signature || !(await isSignedWithAny([deps.secret, deps.previousSecret], request.body, signature))) {
    return { statusCode: 401, body: 'signature does not match' };
  }

  const event = header('x-github-event');
  const deliveryId = header('x-github-delivery');
  if (!event || !deliveryId) return { statusCode: 400, body: 'missing x-github-event or x-github-delivery header' };
  const payload = parseJson(request.body);
  if (payload === undefined) return { statusCode: 400, body: 'body is not JSON' };

  if (event === 'ping') return { statusCode: 200, body: 'pong' };
  if (!isHandled(event, (payload as { action?: unknown } | null)?.action)) return { statusCode: 202, body: 'ignored' };

  // The job is stored before the delivery is recorded: if recording fails, GitHub's redelivery
  // still goes through. putJob writes only when the job is absent, so no job is stored or run twice.
  const receivedAt = deps.now();
  const job: Job = { id: deliveryId, event, payload, receivedAt: receivedAt.toISOString() };
  await deps.store.putJob(job);
  if (!(await deps.store.putDelivery(deliveryId, receivedAt))) return { statusCode: 200, body: 'duplicate delivery' };
  return { statusCode: 202, body: 'queued', job };
}

function headerReader(headers: Record<string, string | undefined>): (name: string) => string | undefined {
  const lower = new Map<string, string>();
  for (const [name, value] of Object.entries(headers)) if (value !== undefined) lower.set(name.toLowerCase(), value);
  return (name) => lower.get(name);
}

async function isSignedWithAny(secrets: readonly (string | undefined)[], body: string, signature: string): Promise<boolean> {
  for (const secret of secrets) {
    if (secret !== undefined && (await isValidSignature(secret, body, signature))) return true;
  }
  return false;
}

async function isValidSignature(secret: string, body: string, signature: string): Promise<boolean> {
  // GitHub never sends an empty body, and `verify` throws on one (a 500): it cannot be a signed delivery.
  if (!secret || body === '' || !/^sha256=[0-9a-f]{64}$/i.test(signature)) return false;
  return verify(secret, body, signature);
}

/** `undefined` when the text is not JSON (`null` is valid JSON and stays `null`). */
function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    if (error instanceof SyntaxError) return undefined;
    throw error;
  }
}
