import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { InputError, OperationError } from '../errors.ts';
import type { ExtendsResolver, PolicySource } from './load.ts';

/**
 * The app's presets: `policies/<name>.yml`, extended as `preset:<name>`. This is the I/O side of
 * `extends`; the loader itself stays pure and gets the files through {@link createResolver}.
 */

const PRESET_NAME = /^[a-z0-9-]+$/;
const MARKER = join('policies', 'baseline.yml');

/**
 * The `policies/` folder: the first `policies/baseline.yml` found walking up from this module.
 * Works from src/ (tsx, vitest) and from a bundle placed beside or below a `policies/` folder.
 */
export function findPoliciesDir(): string {
  const start = dirname(fileURLToPath(import.meta.url));
  let dir = start;
  for (;;) {
    if (existsSync(join(dir, MARKER))) return join(dir, 'policies');
    const parent = dirname(dir);
    if (parent === dir) break;
    dir = parent;
  }
  throw new OperationError(`the presets folder policies/ (with baseline.yml) was not found in ${start} or any folder above it`);
}

/** The preset `name` (`production` for `preset:production`), or undefined when there is none. */
export function loadPreset(name: string): PolicySource | undefined {
  if (!PRESET_NAME.test(name)) return undefined;
  const path = join(findPoliciesDir(), `${name}.yml`);
  if (!existsSync(path)) return undefined;
  return { file: `preset:${name}`, text: readFileSync(path, 'utf8'), origin: 'preset' };
}

/** Every preset's name, sorted. */
export function presetNames(): string[] {
  return readdirSync(findPoliciesDir())
    .filter((entry) => entry.endsWith('.yml'))
    .map((entry) => entry.slice(0, -'.yml'.length))
    .filter((name) => PRESET_NAME.test(name))
    .sort();
}

/**
 * Resolves `preset:NAME` from the policies/ folder and `org` through `options.org` (the GitHub
 * flow reads `<org>/.github`, the CLI reads --org-policy). What cannot be found is an InputError
 * without a line: the loader places it at the `extends` entry.
 */
export function createResolver(options: { org?: () => Promise<PolicySource | undefined> }): ExtendsResolver {
  return async function resolveExtends(ref: string, from: PolicySource): Promise<PolicySource | undefined> {
    if (ref === 'org') {
      const org = options.org ? await options.org() : undefined;
      if (!org) {
        throw new InputError({
          file: from.file,
          message:
            "extends: org, but no organization policy is available (expected .github/image-assurance.yml in the organization's .github repository)",
        });
      }
      return org;
    }
    if (ref.startsWith('preset:')) {
      const name = ref.slice('preset:'.length);
      const preset = loadPreset(name);
      if (!preset) {
        throw new InputError({ file: from.file, message: `extends: unknown preset '${name}' (available: ${presetNames().join(', ')})` });
      }
      return preset;
    }
    throw new InputError({ file: from.file, message: `extends: unknown entry '${ref}' (expected "org" or "preset:NAME")` });
  };
}
