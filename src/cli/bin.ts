import { main } from './main.ts';

/**
 * The process around the command: what `bin/image-assurance.mjs` runs (through tsx in a clone,
 * as the bundle dist/cli/image-assurance.mjs once built). The environment passes through, so
 * NO_COLOR and FORCE_COLOR reach the renderers; standard input is there for `--report -`.
 */
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
  env: process.env,
  stdin: process.stdin,
});
