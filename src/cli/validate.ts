import { InputError, formatProblem, type Problem } from '../errors.ts';
import { loadPolicySet } from '../policy/load.ts';
import { createResolver } from '../policy/load-presets.ts';
import { usage } from './args.ts';
import { loadPolicySource } from './load-inputs.ts';
import { EXIT_ALLOWED, EXIT_BAD_INPUT, type CliIo } from './main.ts';

/**
 * `image-assurance validate FILE...`: each file on its own (with its presets resolved), so that one
 * run lists every error of every file. `extends: org` cannot be checked here and is accepted.
 */
export async function runValidate(files: readonly string[], io: CliIo): Promise<number> {
  if (files.length === 0) throw usage('validate needs at least one policy file');
  const problems: Problem[] = [];
  for (const file of files) {
    try {
      const source = loadPolicySource(file, io.cwd);
      const placeholderOrg = { file: 'org', text: 'version: 1\n', origin: 'org' as const };
      await loadPolicySet([source], createResolver({ org: async () => placeholderOrg }));
      io.stdout.write(`${file}: ok\n`);
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      problems.push(...error.problems);
    }
  }
  for (const problem of problems) io.stderr.write(`image-assurance: ${formatProblem(problem)}\n`);
  return problems.length === 0 ? EXIT_ALLOWED : EXIT_BAD_INPUT;
}
