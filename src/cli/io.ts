/** What the command line is given by its host (the bin, a bundle, a GitHub Action, a test): no process globals. */

/** SPEC §3 exit codes. */
export const EXIT_ALLOWED = 0;
export const EXIT_BLOCKED = 1;
export const EXIT_BAD_INPUT = 2;

export interface CliOutputStream {
  write(text: string): unknown;
  /** True when the stream is a terminal: text output then gets colour (unless NO_COLOR) and fits `columns`. */
  isTTY?: boolean;
  /** The terminal's width in characters, when it is one. */
  columns?: number;
}

export interface CliIo {
  stdout: CliOutputStream;
  stderr: { write(text: string): unknown };
  cwd: string;
  /** The environment (NO_COLOR, FORCE_COLOR, TERM, COLUMNS); pass `process.env`. Missing means an empty one. */
  env?: Record<string, string | undefined>;
  /** Standard input, read for `--report -`; pass `process.stdin`. */
  stdin?: AsyncIterable<Uint8Array | string>;
}

/** What a subcommand gets: the host's I/O and where to put its exit code. */
export interface CommandContext {
  io: CliIo;
  setExitCode(code: number): void;
}
