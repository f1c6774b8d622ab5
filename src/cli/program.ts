import { Command } from 'commander';
import { evaluateCommand } from './evaluate.ts';
import { previewCommand } from './preview.ts';
import type { CommandContext } from './io.ts';
import { terminalWidth, wantsColor } from './output.ts';
import { schemaCommand } from './schema.ts';
import { testCommand } from './test.ts';
import { validateCommand } from './validate.ts';
import { readVersion } from './version.ts';

/**
 * The subcommands, one line each (as readers/index.ts lists the readers). A new subcommand is a
 * file that exports `xCommand(context): Command` and a line here; its flags live in its file.
 */
const COMMANDS: readonly ((context: CommandContext) => Command)[] = [evaluateCommand, previewCommand, validateCommand, testCommand, schemaCommand];

/** The CLI's error lines start with this, as InputError's do. */
export const ERROR_PREFIX = 'image-assurance: ';

/**
 * The `image-assurance` program on commander: `--help`/`-h` on every subcommand, `--version`,
 * "did you mean" on a typo. Commander never exits the process here: it throws, and main() turns
 * that into an exit code. Everything is written through `context.io`.
 */
export function buildProgram(context: CommandContext): Command {
  const { io } = context;
  const env = io.env ?? {};
  const program = new Command('image-assurance')
    .description('Judges container-image scan reports against image assurance policies.')
    .version(readVersion(), '--version', 'print the version')
    .helpOption('-h, --help', 'show help')
    .helpCommand('help [COMMAND]', 'show help for a command')
    .showSuggestionAfterError(true)
    .exitOverride()
    .configureOutput({
      writeOut: (text) => io.stdout.write(text),
      writeErr: (text) => io.stderr.write(text),
      outputError: (text, write) => write(`${ERROR_PREFIX}command line: ${oneLine(text)}\n`),
      getOutHelpWidth: () => terminalWidth(io.stdout, env) ?? 100,
      getErrHelpWidth: () => 100,
      getOutHasColors: () => wantsColor(io.stdout, env),
      getErrHasColors: () => false,
    })
    .addHelpText('after', '\nExit codes: 0 allowed, 1 blocked, 2 bad input. `image-assurance COMMAND --help` shows a command\'s flags.');
  for (const command of COMMANDS) {
    const subcommand = command(context);
    subcommand.copyInheritedSettings(program);
    program.addCommand(subcommand);
  }
  return program;
}

/** Commander's `error: unknown option '--formt'\n(Did you mean --format?)` as one line. */
function oneLine(text: string): string {
  return text
    .trim()
    .replace(/^error: /, '')
    .replace(/\s*\n\(Did you mean (.*)\?\)$/, ' (did you mean $1?)')
    .replace(/\s*\n\s*/g, ' ');
}
