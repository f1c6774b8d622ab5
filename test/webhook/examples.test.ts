import { describe, expect, it } from 'vitest';
import { HANDLED_EVENTS, isHandled } from '../../src/events/handled-events.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { receiveWebhook } from '../../src/webhook/receive.ts';
import { TEST_WEBHOOK_SECRET, signedDelivery } from '../helpers/sign.ts';
import { realWebhookExamples, type WebhookExample } from '../helpers/webhook-examples.ts';

/**
 * The webhook receiver against every real delivery GitHub documents (@octokit/webhooks-examples,
 * api.github.com and each GHES version, and ../shared/fixtures/webhooks): each example of a handled
 * event and action is signed, received, answered "queued" and stored as a job with its payload; each
 * example of any other event or action is answered "ignored" and stores nothing.
 */

const NOW = new Date('2026-11-26T00:00:00Z');

const real = realWebhookExamples();
const handledName = (example: WebhookExample) => `${example.event}.${String(example.payload['action'])}`;

/**
 * Neither source holds a real `pull_request.edited` delivery: each real pull request delivery is also
 * sent as an edit of its base (the receiver decides on the event and action alone).
 */
const DERIVED = ['pull_request.edited'];
const derived: WebhookExample[] = real
  .filter((example) => example.event === 'pull_request' && isHandled(example.event, example.payload['action']))
  .map((example) => ({ ...example, source: `${example.source} sent as edited`, payload: { ...example.payload, action: 'edited', changes: { base: { ref: { from: 'an-older-base' }, sha: { from: 'b'.repeat(40) } } } } }));

const handled = [...real.filter((example) => isHandled(example.event, example.payload['action'])), ...derived];
const others = real.filter((example) => !isHandled(example.event, example.payload['action']) && example.event !== 'ping');
const pings = real.filter((example) => example.event === 'ping');

async function receive(example: WebhookExample, id: string) {
  const store = createMemoryStore();
  const delivery = await signedDelivery(example.event, example.payload, { id });
  const response = await receiveWebhook(delivery, { secret: TEST_WEBHOOK_SECRET, store, now: () => NOW });
  return { response, stored: await store.getJob(id) };
}

describe('src/webhook/receive (every real example of every event)', () => {
  it('has real examples of every handled event and action, and of unhandled actions of handled events', () => {
    const covered = new Set(real.map(handledName));
    const handledNames = Object.entries(HANDLED_EVENTS).flatMap(([event, actions]) => actions.map((action) => `${event}.${action}`));
    const handledEventsWithOtherActions = new Set(others.filter((example) => Object.hasOwn(HANDLED_EVENTS, example.event)).map((example) => example.event));

    expect(handledNames.filter((name) => !covered.has(name))).toEqual(DERIVED);
    // workflow_run has no other action; the examples hold none of pull_request_review's or the packages'.
    expect([...handledEventsWithOtherActions].sort()).toEqual(['check_run', 'check_suite', 'pull_request']);
    expect(pings.length).toBeGreaterThan(0);
  });

  it.each(handled.map((example) => [example.source, example] as const))('queues %s', async (source, example) => {
    const { response, stored } = await receive(example, `delivery ${source}`);

    expect({ statusCode: response.statusCode, body: response.body }).toEqual({ statusCode: 202, body: 'queued' });
    expect(stored).toEqual({ id: `delivery ${source}`, event: example.event, payload: example.payload, receivedAt: NOW.toISOString() });
  });

  const othersByEvent = new Map<string, WebhookExample[]>();
  for (const example of others) othersByEvent.set(example.event, [...(othersByEvent.get(example.event) ?? []), example]);
  it.each([...othersByEvent].map(([event, examples]) => [event, examples.length, examples] as const))('ignores every %s example of an unhandled event or action (%i)', async (_event, _count, examples) => {
    for (const example of examples) {
      const { response, stored } = await receive(example, `delivery ${example.source}`);

      expect({ source: example.source, statusCode: response.statusCode, body: response.body }).toEqual({ source: example.source, statusCode: 202, body: 'ignored' });
      expect(stored).toBeUndefined();
    }
  });

  it.each(pings.map((example) => [example.source, example] as const))('answers %s with pong and stores nothing', async (source, example) => {
    const { response, stored } = await receive(example, `delivery ${source}`);

    expect({ statusCode: response.statusCode, body: response.body }).toEqual({ statusCode: 200, body: 'pong' });
    expect(stored).toBeUndefined();
  });
});
