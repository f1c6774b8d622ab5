import { InputError, formatProblem } from '../errors.ts';
import { runEvaluate } from './evaluate.ts';
import { runPreview } from './preview.ts';
import { runValidate } from './validate.ts';
import { policyJsonSchema } from '../policy/json-schema.ts';
import { readVersion } from './version.ts';

/** The `image-assurance` command (SPEC §3). Exit codes: 0 allowed, 1 blocked, 2 bad input. */

export const EXIT_ALLOWED = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_BAD_INPUT = 2;

export interface CliIo {
  stdout: { write(text: string): unknown; isTTY?: boolean };
  stderr: { write(text: string): unknown };
  cwd: string;
  env?: Record<string, string | undefined>;
}

export const USAGE = `Usage:
  image-assurance evaluate [--policy FILE...] --report FILE_OR_DIR... [--image REF] [--branch B]
                           [--env E] [--now ISO_DATE] [--format text|json|markdown|sarif]
                           [--org-policy FILE] [--vex FILE_OR_DIR...] [--baseline FILE_OR_DIR...]
  image-assurance preview --base-policy FILE... --policy FILE... --report FILE_OR_DIR...
                           [--image REF] [--branch B] [--env E] [--now ISO_DATE]
                           [--format text|json|markdown] [--org-policy FILE]
                                       what a policy change would block; always exit 0
  image-assurance validate FILE...     check policy files: ok, or every error with file:line:col
  image-assurance schema               print the policy file's JSON Schema

--policy takes files or presets (preset:baseline, preset:production); without it,
.github/image-assurance.yml is used when present, else preset:baseline.
--vex takes OpenVEX, CycloneDX VEX or CSAF VEX documents: their not_affected statements (and
fixed ones pinned to the image's digest) suppress matching vulnerability findings.
--baseline takes the reports of the image the change starts from (say, the default branch's
build): each finding is then introduced, inherited or newly disclosed, and a policy with
findings: introduced blocks only the introduced ones.
Exit codes: 0 allowed, 1 blocked, 2 bad input.
`;

export async function main(argv: readonly string[], io: CliIo): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'evaluate':
        return await runEvaluate(rest, io);
      case 'validate':
        return await runValidate(rest, io);
      case 'preview':
        return await runPreview(rest, io);
      case 'schema':
        io.stdout.write(`${JSON.stringify(policyJsonSchema(), null, 2)}\n`);
        return EXIT_ALLOWED;
      case '--version':
      case 'version':
        io.stdout.write(`${readVersion()}\n`);
        return EXIT_ALLOWED;
      case undefined:
      case '--help':
      case '-h':
      case 'help':
        (command === undefined ? io.stderr : io.stdout).write(USAGE);
        return command === undefined ? EXIT_BAD_INPUT : EXIT_ALLOWED;
      default:
        throw new InputError({ file: 'command line', message: `unknown command "${command}" (expected evaluate, preview, validate or schema)` });
    }
  } catch (error) {
    return reportError(error, io);
  }
}

/** One line per problem, no stack trace. An unexpected error is still exit 2: an image that can't be verified is not allowed. */
export function reportError(error: unknown, io: CliIo): number {
  if (error instanceof InputError) {
    for (const problem of error.problems) io.stderr.write(`image-assurance: ${formatProblem(problem)}\n`);
  } else {
    const message = error instanceof Error ? error.message : String(error);
    io.stderr.write(`image-assurance: internal error: ${message}\n`);
  }
  return EXIT_BAD_INPUT;
}
