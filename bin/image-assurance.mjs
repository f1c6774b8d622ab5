#!/usr/bin/env node
// The `image-assurance` command in a clone (`npx image-assurance …`). It runs the bundle
// dist/cli/image-assurance.mjs (built by `npm ci` through the prepare script, or `npm run build:cli`)
// when the bundle is newer than every file it is built from: no TypeScript compiler on the hot path.
// When the bundle is missing or older than a source, it runs the TypeScript sources through tsx,
// so an edit shows at once without a build. Both run src/cli/bin.ts, which passes the environment.
import { existsSync, readdirSync, statSync } from 'node:fs';

const root = new URL('../', import.meta.url);
const bundle = new URL('dist/cli/image-assurance.mjs', root);
/** Everything the bundle is built from (scripts/build.mjs): folders are walked. */
const INPUTS = ['src/', 'policies/', 'package.json', 'package-lock.json', 'scripts/build.mjs', 'scripts/lib/'];

if (isBundleFresh()) {
  await import(bundle.href);
} else {
  const { register } = await import('tsx/esm/api');
  register();
  await import('../src/cli/bin.ts');
}

function isBundleFresh() {
  if (!existsSync(bundle)) return false;
  const builtMs = statSync(bundle).mtimeMs;
  return INPUTS.every((input) => isOlderThan(new URL(input, root), builtMs));
}

/** Whether the file, or every file under the folder, was last changed before `builtMs`. */
function isOlderThan(url, builtMs) {
  const stats = statSync(url, { throwIfNoEntry: false });
  if (!stats) return true;
  if (!stats.isDirectory()) return stats.mtimeMs < builtMs;
  return readdirSync(url, { withFileTypes: true }).every((entry) =>
    isOlderThan(new URL(entry.isDirectory() ? `${entry.name}/` : entry.name, url), builtMs),
  );
}
