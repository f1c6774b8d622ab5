import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { cacheKeyOf, cliCacheDir, COMMANDS } from '../../../src/cli/fast/code-cache.ts';
import { buildProgram } from '../../../src/cli/program.ts';

/** A CommonJS module as the CLI bundle is one: exports, require of a built-in, its own file name. */
const MODULE = `const { basename } = require('node:path');\nexports.hello = (name) => 'hello ' + name + ' from ' + basename(__filename);\n${'exports.pad = () => 1;\n'.repeat(200)}`;

let dir: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ia-code-cache-'));
});
afterEach(() => rmSync(dir, { recursive: true, force: true }));

/**
 * Loads the module in a fresh process (V8 also keeps what it compiled for the life of a process,
 * so a second load in this one would never look at the cache), saving the cache after it unless
 * told not to.
 */
function load(file: string, cacheDir: string | undefined, key = 'evaluate', save = true): { hello: string; usedCache: boolean } {
  const script = [
    `const { requireWithCodeCache } = await import(${JSON.stringify(CODE_CACHE)});`,
    `const loaded = requireWithCodeCache(${JSON.stringify(file)}, ${cacheDir === undefined ? 'undefined' : JSON.stringify(cacheDir)}, ${JSON.stringify(key)});`,
    `const hello = loaded.exports.hello('you');`,
    save ? 'loaded.saveCache();' : '',
    'process.stdout.write(JSON.stringify({ hello, usedCache: loaded.usedCache }));',
  ].join('\n');
  // A load that hangs (as a recursive mkdir under /proc would) is killed and fails the test.
  const result = spawnSync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  expect(result.signal).toBeNull();
  expect(result.stderr).toBe('');
  return JSON.parse(result.stdout) as { hello: string; usedCache: boolean };
}

const CODE_CACHE = join(import.meta.dirname, '../../../src/cli/fast/code-cache.ts');

describe('src/cli/fast/code-cache', () => {
  it('runs the module, writes its cache after the run, and compiles from that cache the next time', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const cacheDir = join(dir, 'cache');

    const first = load(file, cacheDir);
    const second = load(file, cacheDir);

    expect(first).toEqual({ hello: 'hello you from bundle.cjs', usedCache: false });
    expect(second).toEqual({ hello: 'hello you from bundle.cjs', usedCache: true });
    const [cache] = readdirSync(cacheDir);
    expect(cache).toMatch(/^[0-9a-f]{32}-evaluate\.v8cache$/);
    // Only its owner may read or write the cache.
    expect(statSync(cacheDir).mode & 0o777).toBe(0o700);
    expect(statSync(join(cacheDir, cache!)).mode & 0o777).toBe(0o600);
  });

  it('refuses a cache that V8 did not make for this source, runs the module all the same, and replaces the cache', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const cacheDir = join(dir, 'cache');
    load(file, cacheDir);
    const [cache] = readdirSync(cacheDir);
    writeFileSync(join(cacheDir, cache!), Buffer.alloc(4096, 7));

    const forged = load(file, cacheDir);

    expect(forged).toEqual({ hello: 'hello you from bundle.cjs', usedCache: false });
    expect(load(file, cacheDir).usedCache).toBe(true);
  });

  it('never reads the cache of another source, nor of another command', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const cacheDir = join(dir, 'cache');
    load(file, cacheDir);

    writeFileSync(file, MODULE.replace("'hello '", "'hi '"));
    const changed = load(file, cacheDir, 'evaluate', false);

    expect(changed).toEqual({ hello: 'hi you from bundle.cjs', usedCache: false });
    expect(load(file, cacheDir, 'validate').usedCache).toBe(false);
  });

  it('runs without a cache folder, and when the cache cannot be written', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');

    const none = load(file, undefined);
    const blocked = load(file, join(notAFolder, 'cache'));

    expect(none).toEqual({ hello: 'hello you from bundle.cjs', usedCache: false });
    // Saving failed quietly (load() would have seen it on stderr).
    expect(blocked).toEqual({ hello: 'hello you from bundle.cjs', usedCache: false });
    expect(readdirSync(dir).sort()).toEqual(['bundle.cjs', 'file']);
  });

  it.runIf(process.platform === 'linux')('does not hang where folders cannot be made (under /proc, where a recursive mkdir never returns)', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);

    expect(load(file, '/proc/image-assurance-test/cache')).toEqual({ hello: 'hello you from bundle.cjs', usedCache: false });
  });

  it('removes cache files not written for 30 days when it writes one, and nothing else', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const cacheDir = join(dir, 'cache');
    load(file, cacheDir, 'validate');
    const old = new Date(Date.now() - 31 * 24 * 60 * 60 * 1000);
    const [validate] = readdirSync(cacheDir);
    utimesSync(join(cacheDir, validate!), old, old);
    writeFileSync(join(cacheDir, 'notes.txt'), 'mine');
    utimesSync(join(cacheDir, 'notes.txt'), old, old);

    load(file, cacheDir, 'evaluate');

    expect(readdirSync(cacheDir).map((name) => name.replace(/^[0-9a-f]{32}-/, '')).sort()).toEqual(['evaluate.v8cache', 'notes.txt']);
  });

  it('makes the missing folders of a deep cache path', () => {
    const file = join(dir, 'bundle.cjs');
    writeFileSync(file, MODULE);
    const cacheDir = join(dir, 'a', 'b', 'cache');

    load(file, cacheDir);

    expect(load(file, cacheDir).usedCache).toBe(true);
    expect(statSync(join(dir, 'a')).mode & 0o777).toBe(0o700);
  });

  it.each([
    ['IMAGE_ASSURANCE_CACHE_DIR', { IMAGE_ASSURANCE_CACHE_DIR: '/ci/cache', XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u', '/ci/cache'],
    ['IMAGE_ASSURANCE_CACHE_DIR=off', { IMAGE_ASSURANCE_CACHE_DIR: 'off' }, 'linux', '/home/u', undefined],
    ['XDG_CACHE_HOME', { XDG_CACHE_HOME: '/xdg' }, 'linux', '/home/u', '/xdg/image-assurance'],
    ['a relative XDG_CACHE_HOME (ignored, as the XDG spec says)', { XDG_CACHE_HOME: 'xdg' }, 'linux', '/home/u', '/home/u/.cache/image-assurance'],
    ['Linux', {}, 'linux', '/home/u', '/home/u/.cache/image-assurance'],
    ['macOS', {}, 'darwin', '/Users/u', '/Users/u/Library/Caches/image-assurance'],
    ['Windows', { LOCALAPPDATA: 'C:\\Users\\u\\AppData\\Local' }, 'win32', 'C:\\Users\\u', join('C:\\Users\\u\\AppData\\Local', 'image-assurance', 'cache')],
    ['no home folder', {}, 'linux', undefined, undefined],
  ] as const)('the cache folder with %s', (_name, env, platform, home, expected) => {
    expect(cliCacheDir(env, platform, home)).toBe(expected);
  });

  it('keeps a cache per subcommand of the program, and one for everything else', () => {
    const program = buildProgram({ io: { stdout: { write: () => true }, stderr: { write: () => true }, cwd: dir }, setExitCode: () => {} });
    const subcommands = program.commands.map((command) => command.name()).filter((name) => name !== 'help');

    expect([...COMMANDS].sort()).toEqual(subcommands.sort());
    expect(cacheKeyOf('evaluate')).toBe('evaluate');
    expect(cacheKeyOf('--version')).toBe('other');
    expect(cacheKeyOf('evalute')).toBe('other');
    expect(cacheKeyOf(undefined)).toBe('other');
  });
});
