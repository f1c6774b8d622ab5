import { CommanderError } from 'commander';
import { InputError, formatProblem } from '../errors.ts';
import { EXIT_ALLOWED, EXIT_BAD_INPUT, type CliIo } from './io.ts';
import { buildProgram, ERROR_PREFIX } from './program.ts';

/**
 * The `image-assurance` command (SPEC §3) as a function, for the bin, a bundle or a GitHub Action:
 * `main(process.argv.slice(2), { stdout, stderr, cwd, env, stdin })` resolves to the exit code
 * (0 allowed, 1 blocked, 2 bad input) and never exits the process itself.
 */
export { EXIT_ALLOWED, EXIT_BAD_INPUT, EXIT_BLOCKED, type CliIo } from './io.ts';

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  let exitCode = EXIT_ALLOWED;
  const program = buildProgram({ io, setExitCode: (code) => (exitCode = code) });
  try {
    await program.parseAsync([...argv], { from: 'user' });
    return exitCode;
  } catch (error) {
    // Help and --version end in a CommanderError with exit code 0; every usage error is bad input.
    if (error instanceof CommanderError) return error.exitCode === 0 ? EXIT_ALLOWED : EXIT_BAD_INPUT;
    return reportError(error, io);
  }
}

/** One line per problem, no stack trace. An unexpected error is still exit 2: an image that can't be verified is not allowed. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof InputError) {
    for (const problem of error.problems) io.stderr.write(`${ERROR_PREFIX}${formatProblem(problem)}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`${ERROR_PREFIX}internal error: ${message}\n`);
  }
  return EXIT_BAD_INPUT;
}
