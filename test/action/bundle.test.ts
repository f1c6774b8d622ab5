import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { ACTION_INPUTS } from '../../src/action/inputs.ts';
import { ROOT } from './run-bundle.ts';

/**
 * action.yml runs the committed dist/action/index.mjs, so it must be what the sources build today:
 * this rebuilds it in a temporary folder and compares the bytes.
 */
const STALE = 'dist/action is stale: run `npm run build:action` and commit dist/action (after a rebase too: a conflict in it is solved by rebuilding)';
const outDir = mkdtempSync(join(tmpdir(), 'ia-action-build-'));
afterAll(() => rmSync(outDir, { recursive: true, force: true }));

describe('dist/action (the committed Action bundle)', () => {
  it.each(['index.mjs', 'THIRD-PARTY-LICENSES.md'])('%s is byte for byte what `npm run build:action` builds now', (file) => {
    if (file === 'index.mjs') execFileSync(process.execPath, [join(ROOT, 'scripts/build.mjs'), 'action', '--out-dir', outDir], { stdio: 'pipe' });

    const fresh = readFileSync(join(outDir, file));
    const committed = readFileSync(join(ROOT, 'dist/action', file));

    expect(committed.equals(fresh), STALE).toBe(true);
  });
});

describe('action.yml', () => {
  const action = parse(readFileSync(join(ROOT, 'action.yml'), 'utf8')) as { inputs: Record<string, unknown>; outputs: Record<string, unknown>; runs: { using: string; main: string } };

  it('is a JavaScript action whose main is the committed bundle', () => {
    expect(action.runs).toEqual({ using: 'node24', main: 'dist/action/index.mjs' });
  });

  it('declares exactly the inputs the Action reads, and its two outputs', () => {
    expect(Object.keys(action.inputs).sort()).toEqual([...ACTION_INPUTS].sort());
    expect(Object.keys(action.outputs).sort()).toEqual(['allowed', 'verdict-file']);
  });
});
