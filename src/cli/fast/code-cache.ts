import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire, Module } from 'node:module';
import { dirname, join } from 'node:path';
import { Script } from 'node:vm';

/**
 * Speeds up the packed CLI's start: its 1.2 MB bundle is compiled from V8's code cache, kept from
 * an earlier run, instead of from its source (Node 22's `module.enableCompileCache` does this for
 * any module; Node 20, which the package supports, has none). The cache is written after a run,
 * so it also holds the functions that run compiled lazily, one file per bundle and command (an
 * `evaluate` runs other functions than a `--version`). V8 checks that a cache was made by the same
 * V8 with the same flags for a source of the same length and refuses it otherwise; the file name
 * carries a SHA-256 of the source, so another bundle never even reads it. The folder is the user's
 * own cache folder (never a shared temporary folder, where another user could plant a cache), made
 * readable by its owner only; a cache file not written for 30 days is removed when another is
 * written. Any failure to read or write the cache only costs the speed-up.
 * Bench (`evaluate` of a 10-finding report, medians of 9, packed CLI): 326 ms → 225 ms; a bare
 * `node -e ''` took 108 ms.
 */
export interface CachedModule {
  exports: unknown;
  /** Whether V8 compiled the module from the cache (false on the first run, or when it refused the cache). */
  readonly usedCache: boolean;
  /** Writes the cache when the module was not compiled from one. Call it once the run is done. */
  saveCache(): void;
}

/** Runs the CommonJS file at `file` as `require` would, compiled from the code cache in `cacheDir` when there is one. */
export function requireWithCodeCache(file: string, cacheDir: string | undefined, key: string): CachedModule {
  const source = readFileSync(file, 'utf8');
  const cachePath = cacheDir === undefined ? undefined : join(cacheDir, `${createHash('sha256').update(source).digest('hex').slice(0, 32)}-${key}.v8cache`);
  const cachedData = cachePath === undefined ? undefined : readIfThere(cachePath);
  const script = new Script(Module.wrap(source), { filename: file, ...(cachedData === undefined ? {} : { cachedData }) });
  const usedCache = cachedData !== undefined && !script.cachedDataRejected;
  const module = { exports: {} as unknown };
  const wrapper = script.runInThisContext() as (exports: unknown, require: NodeJS.Require, module: unknown, filename: string, dirname: string) => void;
  wrapper.call(module.exports, module.exports, createRequire(file), module, file, dirname(file));
  return {
    get exports() {
      return module.exports;
    },
    usedCache,
    saveCache() {
      if (cachePath === undefined || usedCache) return;
      writeQuietly(cachePath, script.createCachedData());
      pruneQuietly(dirname(cachePath), Date.now() - STALE_MS);
    },
  };
}

/**
 * The user's cache folder for the CLI: `IMAGE_ASSURANCE_CACHE_DIR`, else `$XDG_CACHE_HOME` or the
 * platform's own under the home folder. `undefined` (no cache) when `IMAGE_ASSURANCE_CACHE_DIR` is
 * `off` or there is no home folder.
 */
export function cliCacheDir(env: Readonly<Record<string, string | undefined>>, platform: NodeJS.Platform, home: string | undefined): string | undefined {
  const chosen = env['IMAGE_ASSURANCE_CACHE_DIR'];
  if (chosen === 'off') return undefined;
  if (chosen !== undefined && chosen !== '') return chosen;
  const xdg = env['XDG_CACHE_HOME'];
  if (xdg !== undefined && xdg.startsWith('/')) return join(xdg, 'image-assurance');
  if (platform === 'win32' && env['LOCALAPPDATA']) return join(env['LOCALAPPDATA'], 'image-assurance', 'cache');
  if (home === undefined || home === '') return undefined;
  return platform === 'darwin' ? join(home, 'Library', 'Caches', 'image-assurance') : join(home, '.cache', 'image-assurance');
}

/** The subcommands of src/cli/program.ts (test/cli/fast/code-cache.test.ts checks the list). */
export const COMMANDS: ReadonlySet<string> = new Set(['evaluate', 'preview', 'schema', 'test', 'validate']);

/** The cache is kept per command: the subcommand, or `other` (`--version`, `--help`, a typo). */
export function cacheKeyOf(firstArgument: string | undefined): string {
  return firstArgument !== undefined && COMMANDS.has(firstArgument) ? firstArgument : 'other';
}

/** A cache file not written for this long is removed when another is written: other versions' caches do not pile up. */
const STALE_MS = 30 * 24 * 60 * 60 * 1000;

/** Removes the cache files (`*.v8cache`) last written before `before`; anything else in the folder is left alone. */
function pruneQuietly(folder: string, before: number): void {
  try {
    for (const name of readdirSync(folder)) {
      if (!name.endsWith('.v8cache')) continue;
      const path = join(folder, name);
      if (statSync(path).mtimeMs < before) rmSync(path, { force: true });
    }
  } catch {
    // A cache that cannot be tidied only takes room.
  }
}

function readIfThere(path: string): Buffer | undefined {
  try {
    return readFileSync(path);
  } catch {
    return undefined;
  }
}

/**
 * Makes the folder and any missing parent, readable by its owner only, one level at a time: Node 20's
 * `mkdirSync(…, { recursive: true })` never returns where a parent exists but refuses children
 * (under /proc it loops for ever), and a cache must never hang the command.
 */
function makeFolder(folder: string): void {
  const missing: string[] = [];
  for (let at = folder; !existsSync(at); at = dirname(at)) {
    if (dirname(at) === at) break;
    missing.unshift(at);
  }
  for (const at of missing) mkdirSync(at, { mode: 0o700 });
}

/** Writes through a temporary file and a rename, so that a run in parallel never reads half a cache. */
function writeQuietly(path: string, data: Buffer): void {
  const temporary = `${path}.${process.pid}.tmp`;
  try {
    makeFolder(dirname(path));
    writeFileSync(temporary, data, { mode: 0o600 });
    renameSync(temporary, path);
  } catch {
    try {
      rmSync(temporary, { force: true });
    } catch {
      // Nothing was written, or it cannot be removed either: a stray temporary file is all it costs.
    }
  }
}
