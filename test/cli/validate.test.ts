import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from './helpers.ts';

const ROOT = join(import.meta.dirname, '../..');

describe('cli/validate', () => {
  it('says ok for every preset and the example', async () => {
    const result = await runCli(['validate', 'policies/baseline.yml', 'policies/production.yml', 'examples/image-assurance.yml'], ROOT);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(result.stdout).toBe('policies/baseline.yml: ok\npolicies/production.yml: ok\nexamples/image-assurance.yml: ok\n');
  });

  it('lists every error of every file, with file:line:col', async () => {
    const cwd = workspace({
      'a.yml': 'version: 1\npolicies:\n  - name: p\n    enforcement: maybe\n',
      'b.yml': 'version: 2\n',
    });

    const result = await runCli(['validate', 'a.yml', 'b.yml'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: a\.yml:4:18: .*(block|warn)/m);
    expect(result.stderr).toMatch(/^image-assurance: b\.yml:1:10: /m);
  });

  it("type-checks custom rules against the bundle's shape: an unknown field is an error at its place", async () => {
    const cwd = workspace({
      'c.yml': 'version: 1\npolicies:\n  - name: p\n    rules:\n      custom:\n        - name: many\n          when: "bundle.vulnerabilities.exists(v, v.sev == \'high\')"\n          message: m\n',
    });

    const result = await runCli(['validate', 'c.yml'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: c\.yml:7:53: invalid CEL expression in custom rule 'many': No such key: sev/m);
  });
});

describe('cli/schema', () => {
  it('prints the JSON Schema that policies/schema.json holds', async () => {
    const result = await runCli(['schema'], ROOT);

    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout)).toEqual(JSON.parse(readFileSync(join(ROOT, 'policies/schema.json'), 'utf8')));
  });
});
