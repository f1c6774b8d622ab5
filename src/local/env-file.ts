import { chmodSync, readFileSync, writeFileSync } from 'node:fs';
import { parseEnv } from 'node:util';
import type { Env } from '../env.ts';

/**
 * `.env` for `npm start`, read with Node's own dotenv parser (`util.parseEnv`, as Probot reads it)
 * and written by the set-up page. Values with line breaks (the private key) are written in
 * double quotes with `\n`, which the parser turns back into line breaks.
 */

export const ENV_FILE = '.env';

/** The variables in `path`; none when it does not exist. */
export function readEnvFile(path: string): Env {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return {};
    throw error;
  }
  return parseEnv(text);
}

/**
 * Sets `values` in `path`, keeping the file's other lines (comments included) and replacing the
 * lines of the variables it sets. The file is readable by its owner only: it holds secrets.
 */
export function updateEnvFile(path: string, values: Record<string, string>): void {
  let lines: string[] = [];
  try {
    lines = readFileSync(path, 'utf8').split('\n');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const isSet = (line: string) => Object.keys(values).some((name) => new RegExp(`^\\s*(export\\s+)?${name}\\s*=`).test(line));
  const kept = lines.filter((line) => !isSet(line));
  while (kept.length > 0 && kept.at(-1) === '') kept.pop();
  const added = Object.entries(values).map(([name, value]) => `${name}=${quote(value)}`);
  writeFileSync(path, `${[...kept, ...added].join('\n')}\n`, { mode: 0o600 });
  // `mode` applies only to a new file: an existing one is narrowed too.
  chmodSync(path, 0o600);
}

function quote(value: string): string {
  if (/^[\w@%+=:,./-]*$/.test(value)) return value;
  if (value.includes('"')) throw new Error(`a value with a double quote cannot be written to ${ENV_FILE}`);
  return `"${value.replace(/\r?\n/g, '\\n')}"`;
}
