import { resolve } from 'node:path';
import { WriteStream } from 'node:tty';
import { InputError } from '../errors.ts';
import { writeFileInPieces, writeInPieces } from './fast/write-in-pieces.ts';
import type { CliIo, CliOutputStream } from './io.ts';

/**
 * Where a command's result goes (stdout, `-o FILE`, or nowhere with `-q`) and how text is laid out
 * there. The renderers stay pure: this is the one place that looks at the terminal and the environment.
 */
export interface Output {
  /** ANSI colour for text output. */
  color: boolean;
  /** The width text output must fit, or `undefined` for the full text (not a terminal). */
  width: number | undefined;
  write(text: string): void;
  /** Writes `-o FILE`; a no-op for stdout. */
  close(): void;
}

/** The width assumed for a terminal that does not say its own. */
const DEFAULT_TERMINAL_COLUMNS = 80;

export function openOutput(io: CliIo, options: { file?: string; quiet?: boolean }): Output {
  if (options.file !== undefined) {
    const file = options.file;
    const chunks: string[] = [];
    return {
      color: false,
      width: undefined,
      write: (text) => chunks.push(text),
      close: () => writeOutputFile(resolve(io.cwd, file), file, chunks.join('')),
    };
  }
  if (options.quiet === true) return { color: false, width: undefined, write: () => undefined, close: () => undefined };
  const env = io.env ?? {};
  return {
    color: wantsColor(io.stdout, env),
    width: terminalWidth(io.stdout, env),
    write: (text) => writeInPieces((piece) => io.stdout.write(piece), text),
    close: () => undefined,
  };
}

/**
 * Colour as Node's own tty module decides it (`tty.WriteStream#hasColors`: FORCE_COLOR, NO_COLOR,
 * NODE_DISABLE_COLORS, TERM=dumb, CI), from the environment we were given. A stream that is not a
 * terminal (a pipe, a file) gets colour only when FORCE_COLOR asks for it.
 */
export function wantsColor(stream: CliOutputStream, env: Readonly<Record<string, string | undefined>>): boolean {
  const isForced = env['FORCE_COLOR'] !== undefined;
  if (stream.isTTY !== true && !isForced) return false;
  return WriteStream.prototype.hasColors(16, env as NodeJS.ProcessEnv);
}

/** A terminal's width (its own, else COLUMNS, else 80); `undefined` when the stream is not a terminal. */
export function terminalWidth(stream: CliOutputStream, env: Readonly<Record<string, string | undefined>>): number | undefined {
  if (stream.isTTY !== true) return undefined;
  if (stream.columns !== undefined && stream.columns > 0) return stream.columns;
  const columns = Number(env['COLUMNS']);
  return Number.isInteger(columns) && columns > 0 ? columns : DEFAULT_TERMINAL_COLUMNS;
}

function writeOutputFile(path: string, file: string, text: string): void {
  try {
    writeFileInPieces(path, text);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException | undefined)?.code ?? 'unknown error';
    throw new InputError({ file, message: `the output file cannot be written (${code})` }, { cause: error });
  }
}
