#!/usr/bin/env node
// Packages the Lambda functions offline: esbuild bundles each handler in functions/*.ts into a
// minified ESM .mjs (node20 target), copies the policies/*.yml presets beside it (the preset loader
// finds them by walking up from the bundle), zips each function into .esbuild/<name>.zip, then runs
// `osls package` with fake credentials, which writes .serverless/cloudformation-template-update-stack.json.
//
// Own esbuild step + `package.artifact` rather than serverless-esbuild: one esbuild call we control,
// no plugin hooks, no npm install of externals at package time, so packaging is the same offline
// as in CI. Usage: node scripts/package.mjs [--no-osls] [--out-dir DIR] [--stage dev] [--region us-east-1]
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { build } from 'esbuild';
import { zipSync } from 'fflate';
import { nodeBundleOptions } from './lib/esbuild-node.mjs';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');

const { values: options } = parseArgs({
  options: {
    'no-osls': { type: 'boolean', default: false },
    // Bundles only, somewhere else (tests that run the bundles); serverless.yml reads .esbuild/.
    'out-dir': { type: 'string' },
    stage: { type: 'string', default: 'dev' },
    region: { type: 'string', default: 'us-east-1' },
  },
});
const outDir = options['out-dir'] === undefined ? join(root, '.esbuild') : resolve(options['out-dir']);
if (options['out-dir'] !== undefined) options['no-osls'] = true;
// The out dir is emptied first: only ever a folder that holds nothing but earlier bundles.
if (existsSync(outDir)) {
  const bundleEntries = new Set(handlerNames().flatMap((name) => [name, `${name}.zip`]));
  const strangers = readdirSync(outDir).filter((entry) => !bundleEntries.has(entry));
  if (strangers.length > 0) {
    console.error(`${outDir} holds more than bundles (${strangers.slice(0, 3).join(', ')}): pick an empty folder of its own`);
    process.exit(2);
  }
}

/** Every functions/*.ts is one Lambda handler (shared code lives in functions/lib/). */
function handlerNames() {
  return readdirSync(join(root, 'functions'))
    .filter((file) => file.endsWith('.ts'))
    .map((file) => basename(file, '.ts'))
    .sort();
}

async function bundle(name) {
  const dir = join(outDir, name);
  const result = await build({
    ...nodeBundleOptions(root),
    entryPoints: [join(root, 'functions', `${name}.ts`)],
    outfile: join(dir, `${name}.mjs`),
    metafile: true,
  });
  const policiesDir = join(root, 'policies');
  mkdirSync(join(dir, 'policies'), { recursive: true });
  for (const file of readdirSync(policiesDir).filter((file) => file.endsWith('.yml'))) {
    writeFileSync(join(dir, 'policies', file), readFileSync(join(policiesDir, file)));
  }
  const zip = zipSync(readTree(dir), { level: 9, mtime: new Date('2026-01-01T00:00:00Z') });
  writeFileSync(join(outDir, `${name}.zip`), zip);
  const bytes = statSync(join(dir, `${name}.mjs`)).size;
  return { name, bytes, zipBytes: zip.byteLength, inputs: Object.keys(result.metafile.inputs).length };
}

/** The folder as fflate's tree, paths relative to it, sorted for a reproducible zip. */
function readTree(dir) {
  const tree = {};
  const walk = (current) => {
    for (const entry of readdirSync(current, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) walk(path);
      else tree[relative(dir, path).split('\\').join('/')] = new Uint8Array(readFileSync(path));
    }
  };
  walk(dir);
  return tree;
}

function runOsls() {
  const osls = join(root, 'node_modules', '.bin', 'osls');
  const result = spawnSync(osls, ['package', '--stage', options.stage, '--region', options.region], {
    cwd: root,
    stdio: 'inherit',
    env: {
      ...process.env,
      // Fake credentials: `osls package` resolves nothing remote, so these are never used for a call.
      AWS_ACCESS_KEY_ID: 'fake',
      AWS_SECRET_ACCESS_KEY: 'fake',
      AWS_SESSION_TOKEN: 'fake',
      AWS_REGION: options.region,
      AWS_DEFAULT_REGION: options.region,
      AWS_PROFILE: '',
      AWS_SDK_LOAD_CONFIG: '0',
      SLS_TELEMETRY_DISABLED: '1',
      SLS_TRACKING_DISABLED: '1',
      SLS_NOTIFICATIONS_MODE: 'off',
      SLS_DEPRECATION_DISABLE: '*',
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
    },
  });
  if (result.status !== 0) {
    console.error(`osls package failed (exit ${result.status ?? result.signal})`);
    process.exit(1);
  }
}

rmSync(outDir, { recursive: true, force: true });
mkdirSync(outDir, { recursive: true });
for (const name of handlerNames()) {
  const { bytes, zipBytes, inputs } = await bundle(name);
  console.log(`${name}: ${(bytes / 1024).toFixed(0)} KB bundle (${inputs} modules), ${(zipBytes / 1024).toFixed(0)} KB zipped`);
}
if (!options['no-osls']) {
  rmSync(join(root, '.serverless'), { recursive: true, force: true });
  runOsls();
  console.log('wrote .serverless/cloudformation-template-update-stack.json');
}
