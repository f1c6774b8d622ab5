import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The pure core (STYLE: "Pure core, I/O shell"): readers, bundles, policy (from text), engine,
 * render and model import nothing that does I/O and do not read the clock or the environment.
 */
const ROOT = join(import.meta.dirname, '..');
const PURE_FOLDERS = ['src/model', 'src/readers', 'src/vex', 'src/bundles', 'src/policy', 'src/engine', 'src/render'];
/** The one I/O module inside a pure folder: it reads the preset files. */
const IO_EXEMPT = new Set(['src/policy/load-presets.ts']);

const FORBIDDEN_IMPORTS = [/^node:(fs|child_process|net|http|https|dgram|worker_threads)/, /^(fs|child_process|http|https)$/, /octokit/, /probot/, /@aws-sdk/, /\/(github|store|artifacts|webhook|job|cli|local)\//];
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/process\.env/, 'reads process.env'],
  [/Date\.now\(/, 'reads the clock (Date.now)'],
  [/new Date\(\)/, 'reads the clock (new Date())'],
];

function listTs(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

const files = PURE_FOLDERS.flatMap((folder) => listTs(join(ROOT, folder)))
  .map((path) => relative(ROOT, path))
  .filter((path) => !IO_EXEMPT.has(path));

describe('architecture: the pure core', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s does no I/O and reads no clock', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const imports = [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((m) => m[1]!);
    imports.push(...[...source.matchAll(/import\(\s*['"]([^'"]+)['"]\s*\)/g)].map((m) => m[1]!));

    const badImports = imports.filter((specifier) => FORBIDDEN_IMPORTS.some((pattern) => pattern.test(specifier)));
    const badCode = FORBIDDEN_CODE.filter(([pattern]) => pattern.test(source)).map(([, why]) => why);

    expect({ file, badImports, badCode }).toEqual({ file, badImports: [], badCode: [] });
  });
});
