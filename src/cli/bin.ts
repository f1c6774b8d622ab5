import { runCli } from './run.ts';

/**
 * What `bin/image-assurance.mjs` runs from the TypeScript sources (through tsx) when the bundle is
 * missing or older than a source. The packed CLI runs src/cli/launch.ts instead.
 */
await runCli();
