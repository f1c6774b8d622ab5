import { readFileSync } from 'node:fs';

/** Replaced by the bundler (scripts/build.mjs) with the root package.json's version. */
declare const IMAGE_ASSURANCE_VERSION: string | undefined;

/**
 * The package's version. A bundle carries it (it may be installed anywhere, beside no
 * package.json of ours); from the sources it is the repository's package.json.
 */
export function readVersion(): string {
  if (typeof IMAGE_ASSURANCE_VERSION === 'string') return IMAGE_ASSURANCE_VERSION;
  const packageJson = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
  return packageJson.version;
}
