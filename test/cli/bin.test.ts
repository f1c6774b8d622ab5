import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runBin } from './helpers.ts';

const EXAMPLE = ['evaluate', '--policy', 'examples/image-assurance.yml', '--report', 'examples/reports', '--now', '2026-11-26'];
const ESC = '\u001b[';

/**
 * Runs the bin on a real pseudo-terminal of `columns` columns (util-linux `script`), with exactly
 * `env`; returns what the terminal showed, CR LF turned back into LF.
 */
function runOnTerminal(argv: string[], env: Record<string, string>, columns: number): { code: number; screen: string } {
  const command = `stty cols ${columns} rows 50; exec ${[process.execPath, join(ROOT, 'bin/image-assurance.mjs'), ...argv].map((word) => `'${word}'`).join(' ')}`;
  const result = spawnSync('script', ['--quiet', '--return', '--command', command, '/dev/null'], {
    cwd: ROOT,
    encoding: 'utf8',
    env: { PATH: process.env['PATH'] ?? '', IMAGE_ASSURANCE_CACHE_DIR: 'off', ...env },
  });
  return { code: result.status ?? -1, screen: result.stdout.replace(/\r\n/g, '\n') };
}

describe('bin/image-assurance.mjs, as a real process', () => {
  it('runs the command as `npx image-assurance` does, with exit code 1 for a blocked image', () => {
    const result = runBin([...EXAMPLE, '--format', 'json'], { env: { NO_COLOR: '1' } });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).images[0].image).toBe('ghcr.io/acme/api:1.2.3');
  });

  it('prints one line and exits 2 for bad input, without a stack trace', () => {
    const result = runBin(['validate', 'no-such-policy.yml']);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('image-assurance: no-such-policy.yml: no such file\n');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('exits 0 for --help on a subcommand', () => {
    const result = runBin(['evaluate', '--help']);

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: image-assurance evaluate \[options\]/);
  });

  it('reads a report from standard input for --report -', () => {
    const report = readFileSync(join(ROOT, 'examples/reports/api/trivy.json'), 'utf8');

    const result = runBin(['evaluate', '--policy', 'examples/image-assurance.yml', '--report', '-', '--format', 'json'], { input: report });

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).images[0].reports).toEqual([{ path: '(stdin)', format: 'trivy-json', tool: 'trivy' }]);
  });

  it('colours text on a terminal, fitting its width', () => {
    const { code, screen } = runOnTerminal(EXAMPLE, { TERM: 'xterm-256color' }, 100);

    expect(code).toBe(1);
    expect(screen).toContain(ESC);
    expect(screen).toContain('CVE-2021-44228');
    // eslint-disable-next-line no-control-regex
    const widest = Math.max(...screen.split('\n').map((line) => line.replace(/\u001b\[[0-9;]*m/g, '').length));
    expect(widest).toBeLessThanOrEqual(100);
  });

  it('prints no colour on a terminal when NO_COLOR is set', () => {
    const { code, screen } = runOnTerminal(EXAMPLE, { TERM: 'xterm-256color', NO_COLOR: '1' }, 100);

    expect(code).toBe(1);
    expect(screen).toContain('CVE-2021-44228');
    expect(screen).not.toContain(ESC);
  });

  it('colours text into a pipe only when FORCE_COLOR is set', () => {
    const forced = runBin(EXAMPLE, { env: { FORCE_COLOR: '1' } });
    const piped = runBin(EXAMPLE, { env: { TERM: 'xterm-256color' } });

    expect(forced.stdout).toContain(ESC);
    expect(piped.stdout).not.toContain(ESC);
  });
});
