import { spawnSync } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

/**
 * bin/image-assurance.mjs picks the bundle when it is newer than every file it is built from, and
 * the TypeScript sources through tsx otherwise. Checked on a copy of the bin in a folder of its own,
 * whose "bundle" and "sources" each say which one ran.
 */
const ROOT = join(import.meta.dirname, '../..');
const OLD = new Date('2026-01-01T00:00:00Z');
const NEW = new Date('2026-06-01T00:00:00Z');
let dir: string;

function arrange(files: Record<string, Date>): void {
  dir = mkdtempSync(join(tmpdir(), 'ia-bin-'));
  cpSync(join(ROOT, 'bin/image-assurance.mjs'), join(dir, 'bin/image-assurance.mjs'));
  symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
  const contents: Record<string, string> = {
    'dist/cli/image-assurance.mjs': "process.stdout.write('bundle ' + process.argv.slice(2).join(' '));\n",
    'src/cli/bin.ts': "const ran: string = 'sources';\nprocess.stdout.write(ran + ' ' + process.argv.slice(2).join(' '));\n",
    'src/engine/evaluate.ts': 'export {};\n',
    'policies/baseline.yml': 'version: 1\n',
    'package.json': '{ "type": "module" }\n',
  };
  for (const [path, mtime] of Object.entries(files)) {
    mkdirSync(join(dir, path, '..'), { recursive: true });
    writeFileSync(join(dir, path), contents[path]!);
    utimesSync(join(dir, path), mtime, mtime);
  }
}

function runBin(): string {
  const result = spawnSync(process.execPath, [join(dir, 'bin/image-assurance.mjs'), '--version'], { cwd: dir, encoding: 'utf8' });
  expect(result.stderr).toBe('');
  return result.stdout;
}

afterEach(() => rmSync(dir, { recursive: true, force: true }));

describe('bin/image-assurance.mjs: bundle or sources', () => {
  const sources = { 'src/cli/bin.ts': OLD, 'src/engine/evaluate.ts': OLD, 'policies/baseline.yml': OLD, 'package.json': OLD };

  it.each([
    ['the bundle is newer than every source', { ...sources, 'dist/cli/image-assurance.mjs': NEW }, 'bundle --version'],
    ['a source in a sub-folder changed after the build', { ...sources, 'dist/cli/image-assurance.mjs': NEW, 'src/engine/evaluate.ts': new Date('2026-07-01T00:00:00Z') }, 'sources --version'],
    ['a preset changed after the build', { ...sources, 'dist/cli/image-assurance.mjs': NEW, 'policies/baseline.yml': new Date('2026-07-01T00:00:00Z') }, 'sources --version'],
    ['there is no bundle', sources, 'sources --version'],
  ])('%s', (_name, files, expected) => {
    arrange(files);

    expect(runBin()).toBe(expected);
  });
});
