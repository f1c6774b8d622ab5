import { spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { Readable } from 'node:stream';
import { main } from '../../src/cli/main.ts';

export const ROOT = join(import.meta.dirname, '../..');

export interface CliResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  /** Pretend standard output is a terminal (of `columns` width). */
  isTTY?: boolean;
  columns?: number;
  env?: Record<string, string | undefined>;
  /** Standard input's content. */
  stdin?: string;
}

/** Runs the CLI in-process with captured output, in `cwd`. */
export async function runCli(argv: string[], cwd: string, options: RunOptions = {}): Promise<CliResult> {
  let stdout = '';
  let stderr = '';
  const code = await main(argv, {
    stdout: { write: (text: string) => (stdout += text), isTTY: options.isTTY ?? false, ...(options.columns === undefined ? {} : { columns: options.columns }) },
    stderr: { write: (text: string) => (stderr += text) },
    cwd,
    env: options.env ?? {},
    ...(options.stdin === undefined ? {} : { stdin: Readable.from([Buffer.from(options.stdin)]) }),
  });
  return { code, stdout, stderr };
}

/**
 * Runs bin/image-assurance.mjs as a real process, with exactly `env` (plus PATH, and no code cache:
 * a test never writes into the home folder) and standard input `input`.
 */
export function runBin(argv: string[], options: { cwd?: string; env?: Record<string, string>; input?: string } = {}): CliResult {
  const result = spawnSync(process.execPath, [join(ROOT, 'bin/image-assurance.mjs'), ...argv], {
    cwd: options.cwd ?? ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', IMAGE_ASSURANCE_CACHE_DIR: 'off', ...options.env },
    input: options.input ?? '',
  });
  return { code: result.status ?? -1, stdout: result.stdout, stderr: result.stderr };
}

/** A temporary folder with the given files (path → content). */
export function workspace(files: Record<string, string | Uint8Array>): string {
  const dir = mkdtempSync(join(tmpdir(), 'ia-cli-'));
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(dir, path)), { recursive: true });
    writeFileSync(join(dir, path), content);
  }
  return dir;
}
