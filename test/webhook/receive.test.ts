import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.ts';
import { receiveWebhook } from '../../src/webhook/receive.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import { TEST_WEBHOOK_SECRET, signedDelivery } from '../helpers/sign.ts';

const NOW = new Date('2026-11-26T00:00:00Z');

function deps() {
  return { secret: TEST_WEBHOOK_SECRET, store: createMemoryStore(), now: () => NOW };
}

describe('src/webhook/receive', () => {
  it('stores a verified workflow_run delivery as a job', async () => {
    const payload = readFixtureJson('webhooks/workflow_run.completed.json');
    const delivery = await signedDelivery('workflow_run', payload, { id: 'd-1' });
    const d = deps();

    const response = await receiveWebhook(delivery, d);

    expect(response.statusCode).toBe(202);
    expect(response.job).toEqual({ id: 'd-1', event: 'workflow_run', payload, receivedAt: NOW.toISOString() });
    expect(await d.store.getJob('d-1')).toEqual(response.job);
  });

  it('reads header names case-insensitively', async () => {
    const delivery = await signedDelivery('pull_request', readFixtureJson('webhooks/pull_request.opened.json'), { id: 'd-2' });
    const lower = Object.fromEntries(Object.entries(delivery.headers).map(([name, value]) => [name.toLowerCase(), value]));

    const response = await receiveWebhook({ headers: lower, body: delivery.body }, deps());

    expect(response.statusCode).toBe(202);
  });

  it.each([
    ['a missing signature', (h: Record<string, string | undefined>) => ({ ...h, 'X-Hub-Signature-256': undefined })],
    ['a signature made with another secret', (h: Record<string, string | undefined>) => ({ ...h, 'X-Hub-Signature-256': 'sha256=' + '0'.repeat(64) })],
    ['a malformed signature', (h: Record<string, string | undefined>) => ({ ...h, 'X-Hub-Signature-256': 'sha1=abc' })],
  ])('answers 401 and stores nothing for %s', async (_name, change) => {
    const delivery = await signedDelivery('workflow_run', readFixtureJson('webhooks/workflow_run.completed.json'), { id: 'd-3' });
    const d = deps();

    const response = await receiveWebhook({ headers: change(delivery.headers), body: delivery.body }, d);

    expect(response.statusCode).toBe(401);
    expect(await d.store.getJob('d-3')).toBeUndefined();
    expect(await d.store.putDelivery('d-3', NOW)).toBe(true);
  });

  it('answers 401 for a body changed after signing', async () => {
    const delivery = await signedDelivery('workflow_run', { action: 'completed' });

    const response = await receiveWebhook({ headers: delivery.headers, body: delivery.body.replace('completed', 'requested') }, deps());

    expect(response.statusCode).toBe(401);
  });

  it.each([
    ['no event header', { 'X-GitHub-Event': undefined }, '{"action":"completed"}'],
    ['no delivery header', { 'X-GitHub-Delivery': undefined }, '{"action":"completed"}'],
    ['a body that is not JSON', {}, '{"action":'],
  ])('answers 400 for %s', async (_name, headerChanges, body) => {
    const delivery = await signedDelivery('workflow_run', {});
    const { sign } = await import('@octokit/webhooks-methods');
    const headers = { ...delivery.headers, 'X-Hub-Signature-256': await sign(TEST_WEBHOOK_SECRET, body), ...headerChanges };

    const response = await receiveWebhook({ headers, body }, deps());

    expect(response.statusCode).toBe(400);
  });

  it.each([
    ['an event we do not handle', 'workflow_job', 'webhooks/workflow_job.completed.json'],
    ['an installation event', 'installation', 'webhooks/installation.created.json'],
    ['an action we do not handle', 'pull_request', undefined],
  ])('ignores %s without storing it', async (_name, event, fixture) => {
    const payload = fixture ? readFixtureJson(fixture) : { action: 'closed' };
    const delivery = await signedDelivery(event, payload, { id: 'd-4' });
    const d = deps();

    const response = await receiveWebhook(delivery, d);

    expect(response).toEqual({ statusCode: 202, body: 'ignored' });
    expect(await d.store.getJob('d-4')).toBeUndefined();
  });

  it('answers a redelivery as a duplicate and stores nothing more', async () => {
    const delivery = await signedDelivery('check_suite', readFixtureJson('webhooks/check_suite.rerequested.json'), { id: 'd-5' });
    const d = deps();
    await receiveWebhook(delivery, d);

    const again = await receiveWebhook(delivery, d);

    expect(again).toEqual({ statusCode: 200, body: 'duplicate delivery' });
  });
});
