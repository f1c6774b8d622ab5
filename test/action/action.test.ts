import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.ts';
import { runActionBundle } from './run-bundle.ts';

/** The committed bundle dist/action/index.mjs, run as a real process on real scanner reports. */
describe('dist/action/index.mjs', () => {
  const juiceShop = fixturePath('scans/trivy/juice-shop-v10.2.0.json');
  const distroless = fixturePath('scans/trivy/distroless-python27.json');

  it('blocks: fails the step, writes the markdown verdict to the step summary, annotates and sets the outputs', () => {
    const run = runActionBundle({ reports: juiceShop, policy: 'preset:production', format: 'sarif' });

    expect(run.code).toBe(1);
    expect(run.summary).toMatch(/^### 🚫 1 image blocked by production-readiness\n/);
    expect(run.summary).toContain('docker.io/bkimminich/juice-shop:v10.2.0');
    expect(run.outputs.allowed).toBe('false');
    expect(run.outputs['verdict-file']).toBe(join(run.dir, 'runner-temp/image-assurance/verdict.sarif'));
    const sarif = JSON.parse(readFileSync(run.outputs['verdict-file']!, 'utf8')) as { version: string; runs: { results: unknown[] }[] };
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs[0]!.results.length).toBeGreaterThan(100);
    // 117 violations: GitHub shows 10 errors per step, so 9 are listed and the 10th counts the rest.
    expect(run.errors).toHaveLength(10);
    expect(run.errors[0]).toMatch(/^::error title=docker\.io\/bkimminich\/juice-shop%3Av10\.2\.0 blocked by production-readiness \((severity|fixable_severity)\)::CVE-/);
    expect(run.errors[9]).toBe('::error title=Image Assurance::108 more violations: see the job summary and the verdict file');
    expect(run.stdout).toContain('Result: BLOCKED');
  });

  it('with fail: false, a blocked image leaves the step green and says so in the outputs', () => {
    const run = runActionBundle({ reports: juiceShop, policy: 'preset:production', fail: 'false' });

    expect(run.code).toBe(0);
    expect(run.outputs.allowed).toBe('false');
    expect(run.errors).toHaveLength(10);
  });

  it('allows: exit 0, allowed=true, the JSON verdict file by default, no error annotation', () => {
    const run = runActionBundle({ reports: distroless, policy: 'preset:baseline' }, { GITHUB_BASE_REF: 'main', GITHUB_REF_NAME: '7/merge', GITHUB_REF_TYPE: 'branch' });

    expect(run.code).toBe(0);
    expect(run.errors).toEqual([]);
    expect(run.outputs.allowed).toBe('true');
    const verdict = JSON.parse(readFileSync(run.outputs['verdict-file']!, 'utf8')) as { allowed: boolean; context: { branch?: string } };
    expect(verdict.allowed).toBe(true);
    // A pull request's policies are scoped by its base branch, as in the app.
    expect(verdict.context.branch).toBe('main');
    expect(run.summary).toContain('allowed');
  });

  it('warns: warn and shadow policies give ::warning annotations and a green step', () => {
    const policy = join(import.meta.dirname, '../fixtures/policy/warn-only.yml');

    const run = runActionBundle({ reports: distroless, policy, output: 'out/verdict.txt', format: 'text' });

    expect(run.code).toBe(0);
    expect(run.outputs.allowed).toBe('true');
    expect(run.errors).toEqual([]);
    expect(run.warnings.length).toBeGreaterThan(0);
    expect(run.warnings[0]).toMatch(/^::warning title=.* warned by hygiene \(severity\)::/);
    expect(run.warnings.some((line) => / would be blocked by trial \(severity\)::/.test(line))).toBe(true);
    expect(run.outputs['verdict-file']).toBe(join(run.dir, 'out/verdict.txt'));
    expect(readFileSync(run.outputs['verdict-file']!, 'utf8')).toContain('WARN');
  });

  it('fails closed on a report it cannot read: ::error naming the file, allowed=false, whatever `fail` says', () => {
    const run = runActionBundle({ reports: fixturePath('scans/trivy/dockerfile.json'), fail: 'false' });

    expect(run.code).toBe(1);
    // Every line the command printed is an annotation: here its note on the default policy, then the problem.
    expect(run.errors.every((line) => line.startsWith('::error title=Image Assurance%3A bad input::image-assurance: '))).toBe(true);
    expect(run.errors.some((line) => line.includes('dockerfile.json'))).toBe(true);
    expect(run.summary).toContain('Image Assurance could not judge the images');
    expect(run.outputs).toEqual({ allowed: 'false' });
    expect(run.stderr).toBe('');
  });

  it('passes vex through: a not_affected statement suppresses the findings it names', () => {
    const vexFile = join(mkdtempSync(join(tmpdir(), 'ia-action-vex-')), 'alpine.openvex.json');
    writeFileSync(
      vexFile,
      JSON.stringify({
        '@context': 'https://openvex.dev/ns/v0.2.0',
        '@id': 'https://example.com/vex/alpine-39',
        author: 'Platform team',
        timestamp: '2026-11-01T00:00:00Z',
        version: 1,
        statements: [{ vulnerability: { name: 'CVE-2019-14697' }, products: [{ '@id': 'pkg:apk/alpine/musl' }], status: 'not_affected', justification: 'vulnerable_code_not_present' }],
      }),
    );
    const reports = fixturePath('scans/trivy/alpine-39.json');
    const policy = join(import.meta.dirname, '../fixtures/policy/warn-only.yml');

    const without = runActionBundle({ reports, policy });
    const withVex = runActionBundle({ reports, policy, vex: vexFile });

    const suppressedOf = (run: typeof without) =>
      (JSON.parse(readFileSync(run.outputs['verdict-file']!, 'utf8')) as { images: { policies: { suppressed: { id: string; package: string }[] }[] }[] }).images[0]!.policies[0]!.suppressed.map((s) => `${s.id} ${s.package}`);
    expect(without.code).toBe(0);
    expect(withVex.code).toBe(0);
    expect(suppressedOf(without)).toEqual([]);
    expect(suppressedOf(withVex)).toEqual(['CVE-2019-14697 musl']);
  });

  it('passes baseline through: only what the change introduced blocks, inherited findings are warnings', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ia-action-baseline-'));
    const head = JSON.parse(readFileSync(fixturePath('scans/trivy/alpine-39.json'), 'utf8')) as { Results: { Vulnerabilities: Record<string, unknown>[] }[] };
    head.Results[0]!.Vulnerabilities.push({ VulnerabilityID: 'CVE-2024-9999', PkgName: 'busybox', InstalledVersion: '1.29.3-r10', Severity: 'CRITICAL' });
    writeFileSync(join(dir, 'head.json'), JSON.stringify(head));
    const policy = join(import.meta.dirname, '../fixtures/policy/introduced-only.yml');

    const run = runActionBundle({ reports: join(dir, 'head.json'), baseline: fixturePath('scans/trivy/alpine-39.json'), policy });

    expect(run.code).toBe(1);
    expect(run.errors).toHaveLength(1);
    expect(run.errors[0]).toMatch(/^::error title=ghcr\.io\/aquasecurity\/trivy-test-images%3Aalpine-39 blocked by gate \(severity\)::CVE-2024-9999 in busybox/);
    expect(run.warnings).toEqual([
      expect.stringMatching(/^::warning title=ghcr\.io\/aquasecurity\/trivy-test-images%3Aalpine-39 inherited under gate \(severity\)::CVE-2019-14697 in musl /),
      expect.stringMatching(/^::warning title=ghcr\.io\/aquasecurity\/trivy-test-images%3Aalpine-39 inherited under gate \(severity\)::CVE-2019-14697 in musl-utils /),
    ]);
  });

  it.each([
    ['no reports', {}, 'action input "reports": is required'],
    ['fail is not a boolean', { reports: 'r', fail: 'yes' }, 'action input "fail": "yes" is not a boolean'],
  ])('fails on bad inputs (%s)', (_name, inputs, message) => {
    const run = runActionBundle(inputs);

    expect(run.code).toBe(1);
    expect(run.errors[0]).toContain(message);
    expect(run.outputs).toEqual({ allowed: 'false' });
  });
});
