#!/usr/bin/env node
// The `image-assurance` command. Runs the TypeScript sources through tsx, so that
// `npx image-assurance …` works right after `npm ci` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2), {
  stdout: process.stdout,
  stderr: process.stderr,
  cwd: process.cwd(),
});
