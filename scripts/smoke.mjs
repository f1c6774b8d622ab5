#!/usr/bin/env node
// Smoke test of what this repository ships, as a user gets it (run by .ci/run after the builds):
//
//   cli     `npm pack dist/cli`, the tarball under 1 MB with no dependencies, installed into an empty
//           project in the temp folder (no node_modules anywhere above it), then its
//           `image-assurance` bin: --version, evaluate (a policy file and a preset), validate, schema,
//           and the code cache each command leaves (then evaluate again, from it).
//   action  the committed dist/action/index.mjs as the runner starts it, on the example reports.
//
// Usage: node scripts/smoke.mjs [cli|action]... [--dist DIR]   (default: both; DIR default dist/cli)
// Prints `ok - …` / `not ok - …` per check and exits 1 when one failed.
import { execFileSync, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const MAX_TARBALL_BYTES = 1_000_000;
const NOW = '2026-11-26';

const { values: options, positionals } = parseArgs({ options: { dist: { type: 'string' } }, allowPositionals: true });
const parts = positionals.length > 0 ? positionals : ['cli', 'action'];
let failures = 0;

function check(name, isOk, detail = '') {
  console.log(isOk ? `ok - ${name}` : `not ok - ${name}${detail ? `: ${detail}` : ''}`);
  if (!isOk) failures++;
}

/** A process with only PATH from ours: nothing of this repository's environment leaks in. */
function run(command, args, cwd, env = {}) {
  return spawnSync(command, args, { cwd, encoding: 'utf8', env: { PATH: process.env.PATH, HOME: process.env.HOME ?? cwd, ...env } });
}

function smokeCli() {
  const dist = resolve(options.dist ?? join(root, 'dist/cli'));
  if (!existsSync(join(dist, 'package.json'))) {
    check(`${dist} is built`, false, 'run npm run build:cli first');
    return;
  }
  const work = mkdtempSync(join(tmpdir(), 'ia-smoke-cli-'));
  try {
    // 1. the tarball
    const [packed] = JSON.parse(execFileSync('npm', ['pack', dist, '--pack-destination', work, '--json', '--silent'], { cwd: work, encoding: 'utf8' }));
    const tarball = join(work, packed.filename);
    const bytes = statSync(tarball).size;
    console.log(`tarball ${packed.filename}: ${bytes} bytes (${(bytes / 1024).toFixed(0)} KB), unpacked ${packed.unpackedSize} bytes, ${packed.entryCount} files`);
    check(`the tarball is under 1 MB (${bytes} bytes)`, bytes < MAX_TARBALL_BYTES);
    const manifest = JSON.parse(readFileSync(join(dist, 'package.json'), 'utf8'));
    const dependencyFields = ['dependencies', 'peerDependencies', 'optionalDependencies', 'bundleDependencies'].filter((field) => manifest[field]);
    check('the package has no dependencies', dependencyFields.length === 0, dependencyFields.join(', '));
    const rootVersion = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')).version;
    check('the package has the root version', manifest.version === rootVersion, manifest.version);

    // 2. installed into an empty project, away from any node_modules
    const project = join(work, 'project');
    const ancestorsWithModules = ancestors(project).filter((dir) => existsSync(join(dir, 'node_modules')));
    check('no node_modules above the project', ancestorsWithModules.length === 0, ancestorsWithModules.join(', '));
    cpSync(join(root, 'examples'), project, { recursive: true });
    writeFileSync(join(project, 'package.json'), '{ "name": "smoke", "private": true }\n');
    const install = run('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', tarball], project);
    check('npm install of the tarball', install.status === 0, install.stderr.trim());
    if (install.status !== 0) return;
    const bin = join(project, 'node_modules/.bin/image-assurance');
    const cacheDir = join(work, 'cache');
    const cli = (...args) => run(bin, args, project, { NO_COLOR: '1', IMAGE_ASSURANCE_CACHE_DIR: cacheDir });

    // 3. the command
    const version = cli('--version');
    check('image-assurance --version', version.status === 0 && version.stdout.trim() === rootVersion, version.stdout.trim() || version.stderr.trim());
    const text = cli('evaluate', '--policy', 'image-assurance.yml', '--report', 'reports', '--now', NOW);
    check('evaluate with a policy file: blocked, exit 1', text.status === 1 && text.stdout.includes('BLOCKED  ghcr.io/acme/api:1.2.3'), `exit ${text.status} ${text.stderr.trim()}`);
    const json = cli('evaluate', '--policy', 'preset:production', '--report', 'reports', '--format', 'json', '--now', NOW);
    check('evaluate with a preset, --format json', json.status === 1 && isBlockedJson(json.stdout), `exit ${json.status} ${json.stderr.trim()}`);
    const validate = cli('validate', 'image-assurance.yml');
    check('validate', validate.status === 0 && validate.stdout === 'image-assurance.yml: ok\n', validate.stderr.trim());
    const schema = cli('schema');
    check('schema is policies/schema.json', schema.status === 0 && schema.stdout === readFileSync(join(root, 'policies/schema.json'), 'utf8'));
    // The code cache (src/cli/fast/code-cache.ts): written once per command, then used.
    const caches = existsSync(cacheDir) ? readdirSync(cacheDir).map((name) => name.replace(/^[0-9a-f]{32}-/, '')).sort() : [];
    check('a code cache per command', caches.join(' ') === 'evaluate.v8cache other.v8cache schema.v8cache validate.v8cache', caches.join(' '));
    const again = cli('evaluate', '--policy', 'preset:production', '--report', 'reports', '--format', 'json', '--now', NOW);
    check('evaluate again, from the code cache: the same verdict', again.status === 1 && again.stdout.replace(/"evaluated_at": "[^"]*"/, '') === json.stdout.replace(/"evaluated_at": "[^"]*"/, ''), again.stderr.trim());
    const bad = cli('evaluate', '--report', 'no-such-folder');
    check('bad input: exit 2, one line, no stack trace', bad.status === 2 && bad.stderr.includes('no-such-folder: no such file or folder') && !/\n\s+at /.test(bad.stderr), bad.stderr.trim());
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function smokeAction() {
  const work = mkdtempSync(join(tmpdir(), 'ia-smoke-action-'));
  try {
    cpSync(join(root, 'examples'), work, { recursive: true });
    const summary = join(work, 'summary.md');
    const output = join(work, 'output');
    writeFileSync(summary, '');
    writeFileSync(output, '');
    const action = run(process.execPath, [join(root, 'dist/action/index.mjs')], work, {
      INPUT_REPORTS: 'reports',
      INPUT_POLICY: 'image-assurance.yml',
      INPUT_FORMAT: 'sarif',
      GITHUB_STEP_SUMMARY: summary,
      GITHUB_OUTPUT: output,
      RUNNER_TEMP: work,
    });
    const outputs = readFileSync(output, 'utf8');
    check('action: a blocked image fails the step', action.status === 1, `exit ${action.status} ${action.stderr.trim()}`);
    check('action: ::error annotations', action.stdout.includes('::error title=ghcr.io/acme/api%3A1.2.3 blocked by '));
    check('action: markdown verdict in the step summary', readFileSync(summary, 'utf8').startsWith('### 🚫 1 image blocked'));
    check('action: outputs allowed and verdict-file', /^allowed<<(.+)\nfalse\n\1\n/m.test(outputs) && outputs.includes(join(work, 'image-assurance/verdict.sarif')));
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

function isBlockedJson(text) {
  try {
    const verdict = JSON.parse(text);
    return verdict.allowed === false && verdict.images[0].image === 'ghcr.io/acme/api:1.2.3';
  } catch (error) {
    console.log(`# not JSON: ${error.message}`);
    return false;
  }
}

function ancestors(dir) {
  const list = [];
  for (let current = dirname(dir); ; current = dirname(current)) {
    list.push(current);
    if (dirname(current) === current) return list;
  }
}

for (const part of parts) {
  if (part === 'cli') smokeCli();
  else if (part === 'action') smokeAction();
  else check(`known part "${part}"`, false, 'expected cli or action');
}
console.log(failures === 0 ? 'smoke: all checks passed' : `smoke: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
