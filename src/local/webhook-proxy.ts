import { SmeeClient } from 'smee-client';
import type { Logger } from 'probot';

/**
 * WEBHOOK_PROXY_URL: GitHub cannot reach a server on this machine, so its deliveries go to a
 * smee.io channel, and smee-client (the one Probot uses) replays each one, headers and body, to
 * POST /webhooks here. The signature is checked here as for any delivery.
 */

/** Where smee.io hands out a new channel (a redirect to it). */
export const SMEE_NEW_CHANNEL_URL = 'https://smee.io/new';

export interface WebhookProxy {
  stop(): Promise<void>;
}

export async function startWebhookProxy(options: { source: string; target: string; log: Logger }): Promise<WebhookProxy> {
  const log = options.log.child({ component: 'webhook-proxy' });
  const client = new SmeeClient({
    source: options.source,
    target: options.target,
    logger: {
      info: (...args: unknown[]) => log.info({ source: options.source }, String(args[0])),
      error: (...args: unknown[]) => log.error({ source: options.source, err: args.find((arg) => arg instanceof Error) }, String(args[0])),
    },
  });
  await client.start();
  return { stop: () => client.stop() };
}

/** A new smee.io channel's URL. */
export function createProxyChannel(newChannelUrl = SMEE_NEW_CHANNEL_URL): Promise<string> {
  return SmeeClient.createChannel({ newChannelUrl });
}
