import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ROOT = join(import.meta.dirname, '../..');
export const ACTION_BUNDLE = join(ROOT, 'dist/action/index.mjs');

export interface ActionRun {
  code: number | null;
  stdout: string;
  stderr: string;
  summary: string;
  outputs: Record<string, string>;
  errors: string[];
  warnings: string[];
  dir: string;
}

/**
 * Runs the committed Action bundle as the runner does: `node dist/action/index.mjs` in a workspace
 * of its own, with INPUT_* variables, empty $GITHUB_STEP_SUMMARY and $GITHUB_OUTPUT files and
 * $RUNNER_TEMP. Only PATH comes from this process, so a CI's own GITHUB_* variables stay out.
 */
export function runActionBundle(inputs: Record<string, string>, env: Record<string, string> = {}): ActionRun {
  const dir = mkdtempSync(join(tmpdir(), 'ia-action-'));
  const summaryPath = join(dir, 'step-summary.md');
  const outputPath = join(dir, 'github-output');
  writeFileSync(summaryPath, '');
  writeFileSync(outputPath, '');
  const inputEnv = Object.fromEntries(Object.entries(inputs).map(([name, value]) => [`INPUT_${name.replaceAll(' ', '_').toUpperCase()}`, value]));
  const result = spawnSync(process.execPath, [ACTION_BUNDLE], {
    cwd: dir,
    encoding: 'utf8',
    env: { PATH: process.env.PATH ?? '', GITHUB_STEP_SUMMARY: summaryPath, GITHUB_OUTPUT: outputPath, RUNNER_TEMP: join(dir, 'runner-temp'), ...inputEnv, ...env },
  });
  const commands = (level: string) => result.stdout.split('\n').filter((line) => line.startsWith(`::${level} `) || line.startsWith(`::${level}::`));
  return {
    code: result.status,
    stdout: result.stdout,
    stderr: result.stderr,
    summary: readFileSync(summaryPath, 'utf8'),
    outputs: parseOutputFile(readFileSync(outputPath, 'utf8')),
    errors: commands('error'),
    warnings: commands('warning'),
    dir,
  };
}

/** The $GITHUB_OUTPUT file as the runner reads it: `name=value` lines and `name<<DELIMITER` blocks. */
export function parseOutputFile(text: string): Record<string, string> {
  const outputs: Record<string, string> = {};
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!;
    const heredoc = /^([^=<]+)<<(.+)$/.exec(line);
    if (heredoc) {
      const end = lines.indexOf(heredoc[2]!, i + 1);
      if (end < 0) throw new Error(`output ${heredoc[1]} never ends (no ${heredoc[2]} line)`);
      outputs[heredoc[1]!] = lines.slice(i + 1, end).join('\n');
      i = end;
    } else if (line.includes('=')) {
      outputs[line.slice(0, line.indexOf('='))] = line.slice(line.indexOf('=') + 1);
    } else if (line !== '') {
      throw new Error(`not an output line: ${line}`);
    }
  }
  return outputs;
}
