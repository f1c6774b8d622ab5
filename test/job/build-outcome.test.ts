import { describe, expect, it } from 'vitest';
import { buildOutcome } from '../../src/job/build-outcome.ts';
import { emptyState } from '../../src/job/update-check.ts';
import type { ImageVerdict } from '../../src/model/verdict.ts';
import { defaultSettings } from '../../src/policy/schema.ts';
import type { ResolvedSettings } from '../../src/policy/schema.ts';
import type { CheckState, RunContribution } from '../../src/store/store.ts';

const NOW = new Date('2026-11-26T12:00:00Z');
const SCAN = '.github/workflows/scan.yml';
const LIGHT = '.github/workflows/light.yml';

function image(name: string, status: ImageVerdict['status']): ImageVerdict {
  return { image: name, allowed: status !== 'blocked', status, unscoped: false, policies: [], reports: [] };
}

function run(id: number, images: Record<string, ImageVerdict>, options: { problems?: RunContribution['problems']; workflow?: string; isExcluded?: boolean } = {}): RunContribution {
  return {
    run: { id, name: `run-${id}`, url: `https://github.test/runs/${id}` },
    images,
    problems: options.problems ?? [],
    evaluatedAt: '2026-11-26T10:00:00Z',
    ...(options.workflow === undefined ? {} : { workflow: options.workflow }),
    ...(options.isExcluded ? { isExcluded: true } : {}),
  };
}

function state(...runs: RunContribution[]): CheckState {
  return { ...emptyState('acme/api', 'abc', 1), runs: Object.fromEntries(runs.map((r) => [String(r.run.id), r])), sources: ['preset:baseline'] };
}

function settings(overrides: Partial<ResolvedSettings> = {}): ResolvedSettings {
  return { ...defaultSettings(), ...overrides };
}

describe('src/job/build-outcome', () => {
  it('lets a newer run of the same workflow file replace its earlier verdict and problems (a re-run after a real fix)', () => {
    const earlier = run(1, { a: image('ghcr.io/acme/a:1', 'blocked'), b: image('ghcr.io/acme/b:1', 'allowed') }, { workflow: SCAN, problems: [{ kind: 'artifact', message: 'gone' }] });
    const later = run(2, { a: image('ghcr.io/acme/a:1', 'allowed') }, { workflow: SCAN });

    // Stored order does not matter: the run ID says which is newer.
    const outcome = buildOutcome(state(later, earlier), settings(), NOW);

    expect(outcome.verdict.images.map((i) => [i.image, i.status])).toEqual([['ghcr.io/acme/a:1', 'allowed']]);
    expect(outcome.verdict.allowed).toBe(true);
    expect(outcome.problems).toEqual([]);
    expect(outcome.runs.map((r) => r.id)).toEqual([2]);
    expect(outcome.notes).toEqual([`Workflow run "run-1" (#1) was replaced by the newer run #2 of the same workflow file ${SCAN}.`]);
  });

  it.each([
    ['a later, lighter workflow', [run(1, { a: image('a', 'blocked') }, { workflow: SCAN }), run(2, { a: image('a', 'allowed') }, { workflow: LIGHT })]],
    ['an earlier, lighter workflow', [run(1, { a: image('a', 'allowed') }, { workflow: LIGHT }), run(2, { a: image('a', 'blocked') }, { workflow: SCAN })]],
    ['a publish without a workflow', [run(1, { a: image('a', 'blocked') }, { workflow: SCAN }), run(2, { a: image('a', 'allowed') })]],
  ])('keeps the strictest verdict of an image across workflows against %s, and says the runs disagree', (_name, runs) => {
    const outcome = buildOutcome(state(...runs), settings(), NOW);

    expect(outcome.verdict.images.map((i) => i.status)).toEqual(['blocked']);
    expect(outcome.verdict.allowed).toBe(false);
    expect(outcome.notes).toEqual([expect.stringMatching(/^Workflow runs disagree on a: .*says blocked.*says allowed|^Workflow runs disagree on a: .*says allowed.*says blocked/)]);
    expect(outcome.notes[0]).toContain('The strictest verdict holds (blocked).');
  });

  it('holds a warning over an allow across workflows', () => {
    const outcome = buildOutcome(state(run(1, { a: image('a', 'warned') }, { workflow: SCAN }), run(2, { a: image('a', 'allowed') }, { workflow: LIGHT })), settings(), NOW);

    expect(outcome.verdict.images.map((i) => i.status)).toEqual(['warned']);
  });

  it.each([
    ['alone, missing_scan fail: a missing-scan problem', [run(1, {})], 'fail', 1, 0],
    ['alone, missing_scan ignore: a note', [run(1, {})], 'ignore', 0, 1],
    ["beside another run's image: nothing (a test workflow uploads no scans)", [run(1, {}), run(2, { a: image('a', 'allowed') })], 'fail', 0, 0],
    ['left out by settings.scan_workflows: nothing', [run(1, {}, { isExcluded: true })], 'fail', 0, 0],
  ] as const)('treats a run without any report %s', (_name, runs, missingScan, problems, notes) => {
    const outcome = buildOutcome(state(...runs), settings({ missing_scan: missingScan }), NOW);

    expect(outcome.problems.filter((p) => p.kind === 'missing-scan')).toHaveLength(problems);
    expect(outcome.notes).toHaveLength(notes);
  });

  it("keeps every problem of every workflow's latest run, even when images were judged", () => {
    const outcome = buildOutcome(state(run(1, { a: image('a', 'allowed') }, { problems: [{ kind: 'artifact', message: 'gone' }] }), run(2, {}, { problems: [{ kind: 'fork', message: 'fork' }] })), settings(), NOW);

    expect(outcome.problems.map((p) => p.kind)).toEqual(['artifact', 'fork']);
  });
});
