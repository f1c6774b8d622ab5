import { homedir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { cacheKeyOf, cliCacheDir, requireWithCodeCache } from './fast/code-cache.ts';

/**
 * The packed CLI's bin (dist/cli/image-assurance.mjs): runs the bundle lib/image-assurance.cjs
 * (src/cli/run.ts and all it imports) compiled from V8's code cache (see fast/code-cache.ts), and
 * writes that cache once the command is done.
 */
const bundle = fileURLToPath(new URL('./lib/image-assurance.cjs', import.meta.url));
const cli = requireWithCodeCache(bundle, cliCacheDir(process.env, process.platform, homeOrUndefined()), cacheKeyOf(process.argv[2]));
await (cli.exports as { runCli(): Promise<void> }).runCli();
cli.saveCache();

function homeOrUndefined(): string | undefined {
  try {
    return homedir();
  } catch {
    return undefined;
  }
}
