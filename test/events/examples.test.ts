import { readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { components } from '@octokit/openapi-webhooks-types';
import { describe, expect, it } from 'vitest';
import { readCheckEvent } from '../../src/events/check.ts';
import { HANDLED_EVENTS, type HandledEvent, isHandled } from '../../src/events/handled-events.ts';
import { readPackageEvent } from '../../src/events/package.ts';
import { readPullRequestEvent, readReviewEvent } from '../../src/events/pull-request.ts';
import type { EventRead } from '../../src/events/read.ts';
import { readWorkflowRunEvent } from '../../src/events/workflow-run.ts';
import { fixturePath, readFixtureJson } from '../helpers/fixtures.ts';

/**
 * Every real payload of every handled event and action is read by its reader: the examples of
 * @octokit/webhooks-examples (api.github.com and each GHES version) and ../shared/fixtures/webhooks.
 */
const READERS: { readonly [E in HandledEvent]: (payload: unknown, appId: number) => EventRead<unknown> } = {
  workflow_run: readWorkflowRunEvent,
  pull_request: readPullRequestEvent,
  pull_request_review: readReviewEvent,
  check_run: readCheckEvent,
  check_suite: readCheckEvent,
  registry_package: readPackageEvent,
  package: readPackageEvent,
};

interface Example {
  source: string;
  event: HandledEvent;
  payload: Record<string, any>;
}

const require = createRequire(import.meta.url);
const EXAMPLE_SETS = ['api.github.com', 'ghes-31', 'ghes-32', 'ghes-33', 'ghes-34', 'ghes-35'];

function octokitExamples(): Example[] {
  return EXAMPLE_SETS.flatMap((set) => {
    const definitions = require(`@octokit/webhooks-examples/${set}/index.json`) as { name: string; examples: Record<string, any>[] }[];
    return definitions.flatMap(({ name, examples }) =>
      examples.filter((payload) => isHandled(name, payload.action)).map((payload, index) => ({ source: `@octokit/webhooks-examples ${set} ${name}.${payload.action} #${index}`, event: name as HandledEvent, payload })),
    );
  });
}

function sharedFixtures(): Example[] {
  return readdirSync(fixturePath('webhooks'))
    .filter((file) => file.endsWith('.json'))
    .flatMap((file) => {
      const payload = readFixtureJson<Record<string, any>>(`webhooks/${file}`);
      const event = file.split('.')[0]!;
      return isHandled(event, payload.action) ? [{ source: `shared/fixtures/webhooks/${file}`, event: event as HandledEvent, payload }] : [];
    });
}

/** GitHub adds the installation to every App delivery; repository webhooks' examples lack it. */
function asAppDelivery(payload: Record<string, any>): Record<string, any> {
  return payload.installation ? payload : { ...payload, installation: { id: 77 } };
}

/** The app whose check a check event is about (ours, in this test). */
function appIdOf(example: Example): number {
  const checked = example.payload.check_run ?? example.payload.check_suite;
  return checked?.app?.id ?? 1;
}

/**
 * Why a real example is ignored, decided from the raw JSON apart from the reader: a run that
 * names another repository than the event's, a package that is no container or names no digest.
 */
function expectedIgnored(example: Example): RegExp | undefined {
  const { payload } = example;
  if (example.event === 'pull_request' && payload.action === 'edited' && payload.changes?.base === undefined) return /edited without a base change/;
  if (example.event === 'workflow_run' && payload.workflow_run.repository.id !== payload.repository.id) return /workflow_run of another repository/;
  if (example.event === 'package' || example.event === 'registry_package') {
    const pkg = payload.package ?? payload.registry_package;
    const version = pkg.package_version ?? {};
    const isContainer = [pkg.package_type, pkg.ecosystem].some((type: string) => ['container', 'docker'].includes(String(type).toLowerCase())) || Object.keys(version.container_metadata ?? {}).length > 0;
    if (!isContainer) return /not a container/;
    const digests = [version.container_metadata?.tag?.digest, version.container_metadata?.manifest?.digest, version.version, version.name];
    if (!digests.some((value) => /^sha256:[0-9a-f]{32,64}$/.test(String(value)))) return /names no digest/;
  }
  return undefined;
}

type EditedChanges = components['schemas']['webhook-pull-request-edited']['changes'];

/**
 * Neither source holds a real `pull_request.edited` delivery, so each real pull request delivery is
 * also sent as an edit, with `changes` in the shape of GitHub's own webhook schema (the type checks
 * it): a base change (read) and a title edit (ignored: it changes nothing the check depends on).
 */
const DERIVED = ['pull_request.edited'];

function editedExamples(real: readonly Example[]): Example[] {
  const edits: { name: string; changes: EditedChanges }[] = [
    { name: 'base change', changes: { base: { ref: { from: 'an-older-base' }, sha: { from: 'b'.repeat(40) } } } },
    { name: 'title edit', changes: { title: { from: 'an older title' } } },
  ];
  return real
    .filter((example) => example.event === 'pull_request')
    .flatMap((example) => edits.map(({ name, changes }) => ({ source: `${example.source} sent as edited (${name})`, event: example.event, payload: { ...example.payload, action: 'edited', changes } })));
}

const realExamples = [...octokitExamples(), ...sharedFixtures()];
const examples = [...realExamples, ...editedExamples(realExamples)];

describe('src/events (every real example of each handled event is read)', () => {
  it('has real examples of every handled event', () => {
    const covered = new Set(realExamples.map((example) => `${example.event}.${example.payload.action}`));
    const handled = Object.entries(HANDLED_EVENTS).flatMap(([event, actions]) => actions.map((action) => `${event}.${action}`));
    expect(handled.filter((name) => !covered.has(name))).toEqual(DERIVED);
  });

  it.each(examples.map((example) => [example.source, example] as const))('%s', (_source, example) => {
    const read = READERS[example.event](asAppDelivery(example.payload), appIdOf(example));
    const ignoredWhy = expectedIgnored(example);

    if (ignoredWhy === undefined) expect(read).toMatchObject({ ok: true });
    else expect(read).toMatchObject({ ok: false, ignored: expect.stringMatching(ignoredWhy) });
  });

  it.each(examples.map((example) => [example.source, example] as const))('%s without an installation is ignored', (_source, example) => {
    const { installation: _installation, ...payload } = example.payload;

    expect(READERS[example.event](payload, appIdOf(example))).toEqual({ ok: false, ignored: expect.stringMatching(/without repository or installation/), level: 'warn' });
  });
});
