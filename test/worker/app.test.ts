import type { Probot } from 'probot';
import { describe, expect, it } from 'vitest';
import { onPackagePublished } from '../../src/job/on-package-published.ts';
import { onWorkflowRunCompleted, onWorkflowRunStarted } from '../../src/job/on-workflow-run.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import { handledDeliveries, imageAssuranceApp, ORCHESTRATORS } from '../../src/worker/app.ts';
import { HANDLED_EVENTS, isHandled } from '../../src/events/handled-events.ts';

const handled = Object.entries(HANDLED_EVENTS).flatMap(([event, actions]) => actions.map((action) => `${event}.${action}`));

describe('src/worker/app (the one table of handled events)', () => {
  it('gives every delivery the receiver stores an orchestrator, and no other', () => {
    expect(handledDeliveries().map((delivery) => delivery.name)).toEqual(handled);
    for (const delivery of handledDeliveries()) expect(delivery.orchestrator, delivery.name).toBeTypeOf('function');
    const tabled = Object.entries(ORCHESTRATORS).flatMap(([event, actions]) => Object.keys(actions).map((action) => `${event}.${action}`));
    expect(tabled.sort()).toEqual([...handled].sort());
    expect(tabled.every((name) => isHandled(name.split('.')[0]!, name.split('.')[1]))).toBe(true);
  });

  it('maps each event kind to its orchestrator', () => {
    expect(ORCHESTRATORS.workflow_run).toEqual({ requested: onWorkflowRunStarted, in_progress: onWorkflowRunStarted, completed: onWorkflowRunCompleted });
    expect(ORCHESTRATORS.registry_package.published).toBe(onPackagePublished);
    expect(ORCHESTRATORS.package.published).toBe(onPackagePublished);
  });

  it('registers exactly the handled deliveries with Probot', () => {
    const registered: string[] = [];
    const probot = { on: (name: string) => registered.push(name) } as unknown as Probot;
    imageAssuranceApp({ store: createMemoryStore(), now: () => new Date(0), appId: 1 })(probot);
    expect(registered).toEqual(handled);
  });
});
