import { sign } from '@octokit/webhooks-methods';

export const TEST_WEBHOOK_SECRET = 'test-webhook-secret';

/** The headers GitHub sends with a delivery, signed with `secret`. */
export async function signedDelivery(
  event: string,
  payload: unknown,
  options: { id?: string; secret?: string } = {},
): Promise<{ headers: Record<string, string>; body: string }> {
  const body = JSON.stringify(payload);
  return {
    body,
    headers: {
      'X-GitHub-Event': event,
      'X-GitHub-Delivery': options.id ?? `delivery-${Math.random().toString(16).slice(2)}`,
      'X-Hub-Signature-256': await sign(options.secret ?? TEST_WEBHOOK_SECRET, body),
      'Content-Type': 'application/json',
    },
  };
}
