import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * smee.io on loopback, as smee-client sees it: `HEAD /new` redirects to a new channel, and
 * `GET /<channel>` is an event stream whose messages are deliveries (headers, `body` and `query`
 * in one JSON object, as smee.io sends them).
 */
export interface FakeSmee {
  url: string;
  /** Channels made by HEAD /new, in order. */
  channels: string[];
  /** Resolves once a client listens on `channel`. */
  listening(channel: string): Promise<void>;
  /** Sends a delivery to the clients of `channel`. */
  deliver(channel: string, delivery: { headers: Record<string, string>; body: string }): void;
  close(): Promise<void>;
}

export async function startFakeSmee(): Promise<FakeSmee> {
  const listeners = new Map<string, ServerResponse[]>();
  const waiting = new Map<string, (() => void)[]>();
  const channels: string[] = [];
  const server: Server = createServer((request, response) => {
    const path = (request.url ?? '/').split('?')[0]!;
    if (request.method === 'HEAD' && path === '/new') {
      const channel = `/channel-${channels.length + 1}`;
      channels.push(`${url}${channel}`);
      return response.writeHead(307, { location: `${url}${channel}` }).end();
    }
    if (request.method === 'GET' && path.startsWith('/channel')) {
      response.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'keep-alive' });
      response.write('event: ready\ndata: {}\n\n');
      listeners.set(path, [...(listeners.get(path) ?? []), response]);
      for (const done of waiting.get(path) ?? []) done();
      waiting.delete(path);
      request.on('close', () => listeners.set(path, (listeners.get(path) ?? []).filter((other) => other !== response)));
      return;
    }
    response.writeHead(404).end();
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const pathOf = (channel: string) => (channel.startsWith('http') ? new URL(channel).pathname : channel);
  return {
    url,
    channels,
    listening(channel) {
      const path = pathOf(channel);
      if ((listeners.get(path) ?? []).length > 0) return Promise.resolve();
      return new Promise((done) => waiting.set(path, [...(waiting.get(path) ?? []), done]));
    },
    deliver(channel, delivery) {
      const headers = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]));
      const message = JSON.stringify({ ...headers, body: JSON.parse(delivery.body) as unknown, query: {}, timestamp: Date.now() });
      for (const response of listeners.get(pathOf(channel)) ?? []) response.write(`data: ${message}\n\n`);
    },
    async close() {
      for (const responses of listeners.values()) for (const response of responses) response.end();
      server.closeAllConnections();
      await new Promise((done) => server.close(done));
    },
  };
}
