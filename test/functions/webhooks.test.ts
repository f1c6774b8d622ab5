import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { HttpApiEvent } from '../../functions/lib/aws-events.ts';
import { createWebhooksHandler, handler } from '../../functions/webhooks.ts';
import type { DynamoStore } from '../../src/store/dynamo.ts';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { signedDelivery, TEST_WEBHOOK_SECRET } from '../helpers/sign.ts';
import { type FakeSsm, startFakeSsm, stubColdStartEnv } from './cold-start.ts';

let table: TestTable;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.stop();
});

const payload = readFixtureJson('webhooks/workflow_run.completed.json');
const NOW = new Date('2026-11-26T00:00:00Z');

/** An API Gateway HTTP API (payload 2.0) event as Lambda receives it: lower-case headers. */
function httpApiEvent(delivery: { headers: Record<string, string>; body: string }, options: { base64?: boolean } = {}): HttpApiEvent {
  return {
    version: '2.0',
    routeKey: 'POST /webhooks',
    rawPath: '/webhooks',
    headers: Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value])),
    body: options.base64 ? Buffer.from(delivery.body).toString('base64') : delivery.body,
    isBase64Encoded: options.base64 ?? false,
    requestContext: { http: { method: 'POST', path: '/webhooks' } },
  };
}

async function setup(): Promise<{ store: DynamoStore; handle: ReturnType<typeof createWebhooksHandler> }> {
  const store = await table.newStore();
  return { store, handle: createWebhooksHandler({ store, secret: async () => TEST_WEBHOOK_SECRET, now: () => NOW, logLine: () => undefined }) };
}

describe('functions/webhooks.ts', () => {
  it.each([
    { name: 'a plain body', base64: false },
    { name: 'a base64-encoded body', base64: true },
  ])('answers 202 and stores the job for a valid signature with $name', async ({ base64 }) => {
    const { store, handle } = await setup();
    const delivery = await signedDelivery('workflow_run', payload, { id: 'delivery-1' });

    const result = await handle(httpApiEvent(delivery, { base64 }));

    expect(result.statusCode).toBe(202);
    expect(await store.getJob('delivery-1')).toEqual({ id: 'delivery-1', event: 'workflow_run', payload, receivedAt: NOW.toISOString() });
  });

  it.each([
    { name: 'a wrong secret', sign: { secret: 'not-the-secret' }, drop: false },
    { name: 'no signature', sign: {}, drop: true },
  ])('answers 401 and stores nothing for $name', async ({ sign, drop }) => {
    const { store, handle } = await setup();
    const delivery = await signedDelivery('workflow_run', payload, { id: 'delivery-2', ...sign });
    if (drop) delete delivery.headers['X-Hub-Signature-256'];

    const result = await handle(httpApiEvent(delivery));

    expect(result.statusCode).toBe(401);
    expect(await store.getJob('delivery-2')).toBeUndefined();
    expect(await store.putDelivery('delivery-2', NOW)).toBe(true);
  });

  it.each([
    { name: 'an empty body', base64: false },
    { name: 'an empty base64-encoded body', base64: true },
  ])('answers $name with a signature header 401, not 500', async ({ base64 }) => {
    const { store, handle } = await setup();
    const delivery = await signedDelivery('workflow_run', payload, { id: 'delivery-empty' });

    const result = await handle(httpApiEvent({ ...delivery, body: '' }, { base64 }));

    expect(result.statusCode).toBe(401);
    expect(await store.getJob('delivery-empty')).toBeUndefined();
  });

  it('answers a tampered body with 401', async () => {
    const { store, handle } = await setup();
    const delivery = await signedDelivery('workflow_run', payload, { id: 'delivery-3' });

    const result = await handle(httpApiEvent({ ...delivery, body: delivery.body.replace('"completed"', '"requested"') }));

    expect(result.statusCode).toBe(401);
    expect(await store.getJob('delivery-3')).toBeUndefined();
  });

  it('stores one job for the same delivery sent twice', async () => {
    const { store, handle } = await setup();
    const delivery = await signedDelivery('workflow_run', payload, { id: 'delivery-4' });
    const later = createWebhooksHandler({ store, secret: async () => TEST_WEBHOOK_SECRET, now: () => new Date('2026-11-27T00:00:00Z'), logLine: () => undefined });

    const first = await handle(httpApiEvent(delivery));
    const second = await later(httpApiEvent(delivery));

    expect([first.statusCode, second.statusCode]).toEqual([202, 200]);
    expect((await store.getJob('delivery-4'))?.receivedAt).toBe(NOW.toISOString());
  });

  describe('handler (cold start from the environment)', () => {
    let ssm: FakeSsm;
    beforeAll(async () => {
      ssm = await startFakeSsm([
        { Name: '/image-assurance/test/webhook-secret', Value: TEST_WEBHOOK_SECRET },
        { Name: '/image-assurance/test/webhook-secret-previous', Value: 'the-previous-secret' },
      ]);
    });
    afterAll(async () => {
      vi.unstubAllEnvs();
      await ssm.close();
    });

    it('reads the secrets from SSM once, accepts the current and the previous one during a rotation, and logs each delivery ID', async () => {
      const store = await table.newStore();
      stubColdStartEnv({ tableName: store.tableName, dynamoEndpoint: table.endpoint, ssm, parameterPrefix: '/image-assurance/test' });
      vi.stubEnv('WEBHOOK_SECRET_PREVIOUS_PARAMETER', '/image-assurance/test/webhook-secret-previous');
      vi.stubEnv('AWS_REGION', 'us-east-1');
      const lines: string[] = [];
      const spy = vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));

      const current = await handler(httpApiEvent(await signedDelivery('workflow_run', payload, { id: 'cold-1' })));
      const previous = await handler(httpApiEvent(await signedDelivery('workflow_run', payload, { id: 'cold-2', secret: 'the-previous-secret' })));
      const other = await handler(httpApiEvent(await signedDelivery('workflow_run', payload, { id: 'cold-3', secret: 'an-older-secret' })));
      spy.mockRestore();

      expect([current.statusCode, previous.statusCode, other.statusCode]).toEqual([202, 202, 401]);
      expect(ssm.calls).toBe(1);
      expect((await store.getJob('cold-2'))?.event).toBe('workflow_run');
      expect(await store.getJob('cold-3')).toBeUndefined();
      expect(lines.map((line) => JSON.parse(line))).toEqual([
        expect.objectContaining({ msg: 'webhook received', deliveryId: 'cold-1', event: 'workflow_run', statusCode: 202 }),
        expect.objectContaining({ deliveryId: 'cold-2', statusCode: 202 }),
        expect.objectContaining({ deliveryId: 'cold-3', statusCode: 401 }),
      ]);
    });
  });
});
