import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { importsOf, listTs, resolvedImportsOf, ROOT } from './helpers/imports.ts';

/**
 * The pure core (STYLE: "Pure core, I/O shell"): readers, bundles, policy (from text), engine,
 * render and model import nothing that does I/O and do not read the clock or the environment.
 */
const PURE_FOLDERS = ['src/model', 'src/events', 'src/readers', 'src/vex', 'src/bundles', 'src/policy', 'src/engine', 'src/render'];
/** The one I/O module inside a pure folder: it reads the preset files. */
const IO_EXEMPT = new Set(['src/policy/load-presets.ts']);

const FORBIDDEN_IMPORTS = [/^node:(fs|child_process|net|http|https|dgram|worker_threads)/, /^(fs|child_process|http|https)$/, /octokit/, /probot/, /@aws-sdk/, /\/(github|store|artifacts|webhook|job|worker|cli|local)\//];
const FORBIDDEN_CODE: [RegExp, string][] = [
  [/process\.env/, 'reads process.env'],
  [/Date\.now\(/, 'reads the clock (Date.now)'],
  [/new Date\(\)/, 'reads the clock (new Date())'],
];

const files = PURE_FOLDERS.flatMap((folder) => listTs(folder)).filter((path) => !IO_EXEMPT.has(path));

describe('architecture: the pure core', () => {
  it('has files to check', () => {
    expect(files.length).toBeGreaterThan(20);
  });

  it.each(files)('%s does no I/O and reads no clock', (file) => {
    const source = readFileSync(join(ROOT, file), 'utf8');
    const imports = importsOf(join(ROOT, file));

    const badImports = imports.filter((specifier) => FORBIDDEN_IMPORTS.some((pattern) => pattern.test(specifier)));
    const badCode = FORBIDDEN_CODE.filter(([pattern]) => pattern.test(source)).map(([, why]) => why);

    expect({ file, badImports, badCode }).toEqual({ file, badImports: [], badCode: [] });
  });
});

/**
 * The shell's layers, one direction each: src/worker/ (the bootstrap and the event table) wires
 * src/job/ (the orchestrators and their steps), which calls src/github/ (GitHub API I/O only).
 * GitHub I/O knows no job; a job knows neither the wiring nor the webhook receiver.
 */
const LAYER_RULES: { folder: string; mayNotImport: RegExp; why: string }[] = [
  { folder: 'src/github', mayNotImport: /^src\/(job|worker|webhook)\//, why: 'GitHub API I/O knows no job, worker or receiver' },
  { folder: 'src/job', mayNotImport: /^src\/(worker|webhook)\//, why: 'a job knows neither the worker that runs it nor the receiver' },
];

describe('architecture: the layers of the shell', () => {
  it('sees the imports it checks (the worker wires jobs, a job calls GitHub)', () => {
    expect(resolvedImportsOf(join(ROOT, 'src/worker/app.ts')).local).toContain('src/job/on-workflow-run.ts');
    expect(listTs('src/job').some((file) => resolvedImportsOf(join(ROOT, file)).local.some((path) => path.startsWith('src/github/')))).toBe(true);
  });

  it.each(LAYER_RULES.flatMap((rule) => listTs(rule.folder).map((file) => ({ file, rule }))))('$file keeps to its layer', ({ file, rule }) => {
    const crossing = resolvedImportsOf(join(ROOT, file)).local.filter((path) => rule.mayNotImport.test(path));
    expect({ file, crossing }, rule.why).toEqual({ file, crossing: [] });
  });
});
