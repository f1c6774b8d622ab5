import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = join(import.meta.dirname, '../..');

describe('bin/image-assurance.mjs', () => {
  it('runs the command as `npx image-assurance` does, with exit code 1 for a blocked image', () => {
    const result = spawnSync(
      process.execPath,
      ['bin/image-assurance.mjs', 'evaluate', '--policy', 'examples/image-assurance.yml', '--report', 'examples/reports', '--format', 'json', '--now', '2026-11-26'],
      { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1' } },
    );

    expect(result.stderr).toBe('');
    expect(result.status).toBe(1);
    expect(JSON.parse(result.stdout).images[0].image).toBe('ghcr.io/acme/api:1.2.3');
  });

  it('prints one line and exits 2 for bad input, without a stack trace', () => {
    const result = spawnSync(process.execPath, ['bin/image-assurance.mjs', 'validate', 'no-such-policy.yml'], { cwd: ROOT, encoding: 'utf8' });

    expect(result.status).toBe(2);
    expect(result.stderr).toBe('image-assurance: no-such-policy.yml: no such file\n');
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });
});
