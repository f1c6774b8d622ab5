import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * Real third-party fixtures, read in place from ../shared/fixtures (never copied into the repo).
 * Under CI=true a missing file fails the test; locally a missing shared/ folder skips nothing
 * either: the test fails with a message that says where the fixtures were expected.
 */
export const FIXTURES_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../../../shared/fixtures');

export function fixturePath(relative: string): string {
  const path = join(FIXTURES_DIR, relative);
  if (!existsSync(path)) {
    throw new Error(`fixture ${relative} is missing: expected ../shared/fixtures beside the repository (${path})`);
  }
  return path;
}

export function readFixture(relative: string): Buffer {
  return readFileSync(fixturePath(relative));
}

export function readFixtureText(relative: string): string {
  return readFixture(relative).toString('utf8');
}

export function readFixtureJson<T = unknown>(relative: string): T {
  return JSON.parse(readFixtureText(relative)) as T;
}
