import { describe, expect, it } from 'vitest';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { CheckState } from '../../src/store/store.ts';
import { updateCheckState } from '../../src/store/store.ts';

function state(overrides: Partial<CheckState> = {}): CheckState {
  return { repository: 'acme/api', sha: 'abc', installationId: 1, runs: {}, sources: [], notes: [], pullRequests: [], updatedAt: '2026-01-01T00:00:00Z', ...overrides };
}

describe('src/store/memory', () => {
  it('records a delivery once', async () => {
    const store = createMemoryStore();

    const first = await store.putDelivery('d1', new Date());
    const second = await store.putDelivery('d1', new Date());

    expect([first, second]).toEqual([true, false]);
  });

  it.each([
    ['creates when none exists and none is expected', undefined, undefined, true],
    ['refuses to create over an existing state', 1, undefined, false],
    ['updates at the expected version', 1, 1, true],
    ['refuses a stale version', 1, 0, false],
    ['refuses an update of a state that does not exist', undefined, 1, false],
  ])('putCheckState %s', async (_name, existingVersion, expectedVersion, expected) => {
    const store = createMemoryStore();
    if (existingVersion !== undefined) await store.putCheckState(state(), undefined);

    const written = await store.putCheckState(state({ checkRunId: 9 }), expectedVersion);

    expect(written).toBe(expected);
  });

  it('bumps the version on each write and hands out copies', async () => {
    const store = createMemoryStore();
    await store.putCheckState(state(), undefined);
    const read = await store.getCheckState('acme/api', 'abc');
    read!.value.notes.push('mutated outside');

    await store.putCheckState(state({ checkRunId: 3 }), read!.version);
    const again = await store.getCheckState('acme/api', 'abc');

    expect(again).toEqual({ value: state({ checkRunId: 3 }), version: 2 });
  });

  it('keeps both of two concurrent read-modify-writes (optimistic retry)', async () => {
    const store = createMemoryStore();
    const add = (run: string) => (current: CheckState | undefined) => {
      const base = current ?? state();
      return { ...base, notes: [...base.notes, run] };
    };

    await Promise.all([updateCheckState(store, 'acme/api', 'abc', add('one')), updateCheckState(store, 'acme/api', 'abc', add('two'))]);
    const final = await store.getCheckState('acme/api', 'abc');

    expect(final!.value.notes.sort()).toEqual(['one', 'two']);
  });
});
