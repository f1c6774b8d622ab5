import { main } from './main.ts';

/**
 * The process around the command: the environment passes through, so NO_COLOR and FORCE_COLOR
 * reach the renderers; standard input is there for `--report -`. Run by src/cli/bin.ts (the clone,
 * through tsx) and by the packed CLI's launcher (src/cli/launch.ts).
 */
export async function runCli(): Promise<void> {
  process.exitCode = await main(process.argv.slice(2), {
    stdout: process.stdout,
    stderr: process.stderr,
    cwd: process.cwd(),
    env: process.env,
    stdin: process.stdin,
  });
}
