import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';

/** test/golden/, beside this folder. */
export const GOLDEN_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '../golden');

/**
 * Compares `actual` with test/golden/<name>. With UPDATE_GOLDEN=1 it writes the file instead;
 * without it, a missing or different golden fails the test.
 */
export function expectGolden(name: string, actual: string): void {
  const path = join(GOLDEN_DIR, name);
  if (process.env.UPDATE_GOLDEN === '1') {
    mkdirSync(dirname(path), { recursive: true });
    writeFileSync(path, actual);
    return;
  }
  expect(existsSync(path), `golden ${name} is missing: run with UPDATE_GOLDEN=1 to write it`).toBe(true);
  expect(actual).toBe(readFileSync(path, 'utf8'));
}
