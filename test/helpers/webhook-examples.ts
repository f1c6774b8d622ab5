import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { fixturePath, readFixtureJson } from './fixtures.ts';

/**
 * Real webhook deliveries of every event: the examples of @octokit/webhooks-examples (api.github.com
 * and each GHES version) and ../shared/fixtures/webhooks, each named by where it comes from.
 */

export interface WebhookExample {
  /** Where it comes from, e.g. `@octokit/webhooks-examples api.github.com pull_request.opened #0`. */
  source: string;
  /** The event (the `X-GitHub-Event` header GitHub sends with it). */
  event: string;
  payload: Record<string, any>;
}

const require = createRequire(import.meta.url);
export const EXAMPLE_SETS = ['api.github.com', 'ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35'];

export function octokitWebhookExamples(): WebhookExample[] {
  return EXAMPLE_SETS.flatMap((set) => {
    const definitions = require(`@octokit/webhooks-examples/${set}/index.json`) as { name: string; examples: Record<string, any>[] }[];
    return definitions.flatMap(({ name, examples }) =>
      examples.map((payload, index) => ({ source: `@octokit/webhooks-examples ${set} ${name}${payload['action'] === undefined ? '' : `.${String(payload['action'])}`} #${index}`, event: name, payload })),
    );
  });
}

/** The shared fixtures, named `<event>.<action>[.n].json`. */
export function sharedWebhookFixtures(): WebhookExample[] {
  return readdirSync(fixturePath('webhooks'), { withFileTypes: true })
    .filter((entry) => entry.isFile() && entry.name.endsWith('.json'))
    .map((entry) => ({ source: `shared/fixtures/webhooks/${entry.name}`, event: entry.name.split('.')[0]!, payload: readFixtureJson<Record<string, any>>(`webhooks/${entry.name}`) }));
}

export function realWebhookExamples(): WebhookExample[] {
  return [...octokitWebhookExamples(), ...sharedWebhookFixtures()];
}
