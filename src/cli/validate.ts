import { Command } from 'commander';
import { InputError, formatProblem, type Problem } from '../errors.ts';
import { loadPolicySet } from '../policy/load.ts';
import { createResolver } from '../policy/load-presets.ts';
import { EXIT_ALLOWED, EXIT_BAD_INPUT, type CliIo, type CommandContext } from './io.ts';
import { DEFAULT_POLICY_FILE, loadPolicySource, policyFileExists } from './load-inputs.ts';
import { quietOption } from './options.ts';

export function validateCommand(context: CommandContext): Command {
  return new Command('validate')
    .summary('check policy files: ok, or every error with file:line:col')
    .description(`Checks each policy file on its own, with its presets resolved. Without FILE, checks ${DEFAULT_POLICY_FILE}.\nExit code: 0 when every file is valid, 2 otherwise.`)
    .argument('[FILE...]', 'policy files')
    .addOption(quietOption())
    .action(async (files: string[], options: { quiet?: boolean }) => context.setExitCode(await runValidate(files, context.io, options)));
}

/**
 * `image-assurance validate [FILE...]`: each file on its own (with its presets resolved), so that one
 * run lists every error of every file. `extends: org` cannot be checked here and is accepted.
 */
export async function runValidate(files: readonly string[], io: CliIo, options: { quiet?: boolean } = {}): Promise<number> {
  if (files.length === 0 && !policyFileExists(io.cwd)) {
    throw new InputError({ file: DEFAULT_POLICY_FILE, message: 'no such file: validate checks it when given no FILE; name the policy files to check' });
  }
  const problems: Problem[] = [];
  for (const file of files.length === 0 ? [DEFAULT_POLICY_FILE] : files) {
    try {
      const source = loadPolicySource(file, io.cwd);
      const placeholderOrg = { file: 'org', text: 'version: 1\n', origin: 'org' as const };
      await loadPolicySet([source], createResolver({ org: async () => placeholderOrg }));
      if (options.quiet !== true) io.stdout.write(`${file}: ok\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  for (const problem of problems) io.stderr.write(`image-assurance: ${formatProblem(problem)}\n`);
  return problems.length === 0 ? EXIT_ALLOWED : EXIT_BAD_INPUT;
}
