import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT, runCli, workspace } from './helpers.ts';

describe('cli/test (policy unit tests)', () => {
  it('passes the example in examples/, exit 0', async () => {
    const result = await runCli(['test', 'examples/image-assurance.test.yml'], ROOT);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe(
      'examples/image-assurance.test.yml\n  PASS  log4j and the root user block the api image\n  PASS  the baseline preset alone blocks it too\n2 tests, 2 passed, 0 failed\n',
    );
  });

  it('exits 1 on a mismatch, with a diff of expected and actual', async () => {
    const cwd = workspace({
      'suite.yml': `policies: [${join(ROOT, 'examples/image-assurance.yml')}]\nnow: 2026-11-26\ntests:\n  - name: wrong\n    reports: [${join(ROOT, 'examples/reports/api')}]\n    expect:\n      - image: ghcr.io/acme/api:1.2.3\n        status: allowed\n        policies:\n          production-readiness: pass\n          hygiene: fail\n          nowhere: skip\n`,
    });

    const result = await runCli(['test', 'suite.yml'], cwd);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('  FAIL  wrong\n');
    expect(result.stdout).toContain('        - ghcr.io/acme/api:1.2.3:\n'.replace('- ', '  '));
    expect(result.stdout).toContain('        -   status: allowed\n');
    expect(result.stdout).toContain('        +   status: blocked\n');
    expect(result.stdout).toContain('        -   production-readiness: pass\n');
    expect(result.stdout).toContain('        +   production-readiness: fail\n');
    expect(result.stdout).toContain('            hygiene: fail\n');
    expect(result.stdout).toContain('1 tests, 0 passed, 1 failed\n');
  });

  it('exits 2 naming file:line:col for a bad test file', async () => {
    const cwd = workspace({ 'suite.yml': 'policies: [p.yml]\ntests:\n  - name: t\n    reports: [r]\n    expect:\n      - image: x\n        status: maybe\n' });

    const result = await runCli(['test', 'suite.yml'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: suite\.yml:7:17: .*allowed/m);
  });
});
