import { describe, expect, it } from 'vitest';
import { buildOutcome, emptyState } from '../../src/job/update-check.ts';
import type { ImageVerdict } from '../../src/model/verdict.ts';
import { SETTINGS_DEFAULTS } from '../../src/policy/schema.ts';
import type { ResolvedSettings } from '../../src/policy/schema.ts';
import type { CheckState, RunContribution } from '../../src/store/store.ts';

const NOW = new Date('2026-11-26T12:00:00Z');

function image(name: string, allowed: boolean): ImageVerdict {
  return { image: name, allowed, status: allowed ? 'allowed' : 'blocked', unscoped: false, policies: [], reports: [] };
}

function run(id: number, images: Record<string, ImageVerdict>, problems: RunContribution['problems'] = [], evaluatedAt = '2026-11-26T10:00:00Z'): RunContribution {
  return { run: { id, name: `run-${id}`, url: `https://github.test/runs/${id}` }, images, problems, evaluatedAt };
}

function state(...runs: RunContribution[]): CheckState {
  return { ...emptyState('acme/api', 'abc', 1), runs: Object.fromEntries(runs.map((r) => [String(r.run.id), r])), sources: ['preset:baseline'] };
}

function settings(overrides: Partial<ResolvedSettings> = {}): ResolvedSettings {
  return { ...SETTINGS_DEFAULTS, artifacts: ['image-scan*'], ...overrides };
}

describe('src/job/update-check buildOutcome', () => {
  it('covers every image of every run, the later run winning for the same image', () => {
    const outcome = buildOutcome(
      state(run(1, { a: image('ghcr.io/acme/a:1', false), b: image('ghcr.io/acme/b:1', true) }), run(2, { a: image('ghcr.io/acme/a:1', true) }, [], '2026-11-26T11:00:00Z')),
      settings(),
      NOW,
    );

    expect(outcome.verdict.images.map((i) => [i.image, i.allowed])).toEqual([
      ['ghcr.io/acme/a:1', true],
      ['ghcr.io/acme/b:1', true],
    ]);
    expect(outcome.verdict.allowed).toBe(true);
    expect(outcome.runs.map((r) => r.id)).toEqual([1, 2]);
    expect(outcome.verdict.sources).toEqual(['preset:baseline']);
  });

  it.each([
    ['alone, missing_scan fail: a missing-scan problem', [run(1, {})], 'fail', 1, 0],
    ['alone, missing_scan ignore: a note', [run(1, {})], 'ignore', 0, 1],
    ["beside another run's image: nothing (a test workflow uploads no scans)", [run(1, {}), run(2, { a: image('a', true) })], 'fail', 0, 0],
  ] as const)('treats a run without any report %s', (_name, runs, missingScan, problems, notes) => {
    const outcome = buildOutcome(state(...runs), settings({ missing_scan: missingScan }), NOW);

    expect(outcome.problems.filter((p) => p.kind === 'missing-scan')).toHaveLength(problems);
    expect(outcome.notes).toHaveLength(notes);
  });

  it('keeps every problem of every run, even when images were judged', () => {
    const outcome = buildOutcome(state(run(1, { a: image('a', true) }, [{ kind: 'artifact', message: 'gone' }]), run(2, {}, [{ kind: 'fork', message: 'fork' }])), settings(), NOW);

    expect(outcome.problems.map((p) => p.kind)).toEqual(['artifact', 'fork']);
  });
});
