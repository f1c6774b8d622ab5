import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.ts';
import { runCli, workspace } from './helpers.ts';

/** `severity: medium` blocks every finding of the real alpine-39 Trivy report (two critical musl CVEs, four medium OpenSSL ones). */
const POLICY = `version: 1
policies:
  - name: vulnerabilities
    rules:
      severity: medium
`;

/** Statement 0: CVE-2019-14697 not_affected in the image's musl and musl-utils; statement 1: CVE-2019-1549 in another version of libssl1.1. */
const MUSL_NOT_AFFECTED = readFileSync(new URL('../fixtures/vex/alpine-39.openvex.json', import.meta.url), 'utf8');

const NOW = ['--now', '2026-12-01'];

describe('cli/evaluate --vex', () => {
  it("suppresses a real Trivy report's findings that a not_affected statement names, lists them with the VEX document, and keeps another version's", async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'vex/alpine.openvex.json': MUSL_NOT_AFFECTED });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', 'vex/alpine.openvex.json', '--format', 'json', ...NOW], cwd);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(1);
    const policy = JSON.parse(result.stdout).images[0].policies[0];
    expect(policy.violations.map((v: { id: string; package: string }) => `${v.id} ${v.package}`)).toEqual(['CVE-2019-1549 libcrypto1.1', 'CVE-2019-1549 libssl1.1', 'CVE-2019-1551 libcrypto1.1', 'CVE-2019-1551 libssl1.1']);
    expect(policy.suppressed).toEqual([
      expect.objectContaining({ id: 'CVE-2019-14697', package: 'musl', vex: expect.objectContaining({ document: 'vex/alpine.openvex.json', statement: 'statements[0]', status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', impact_statement: 'the image never calls the affected functions' }) }),
      expect.objectContaining({ id: 'CVE-2019-14697', package: 'musl-utils', vex: expect.objectContaining({ document: 'vex/alpine.openvex.json' }) }),
    ]);
  });

  it('shows VEX-suppressed findings in the text and markdown output', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'vex/alpine.openvex.json': MUSL_NOT_AFFECTED });
    const args = ['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', 'vex', ...NOW];

    const text = await runCli(args, cwd);
    const markdown = await runCli([...args, '--format', 'markdown'], cwd);

    expect(text.stdout).toMatch(
      /suppressed CVE-2019-14697 in musl \S+ by VEX vex\/alpine\.openvex\.json statements\[0\] \(not_affected: vulnerable_code_not_in_execute_path — the image never calls the affected functions\): vulnerabilities$/m,
    );
    expect(markdown.stdout).toContain('suppressed by VEX statements');
    expect(markdown.stdout).toContain('| CVE-2019-14697 | musl | `severity` | VEX `vex/alpine.openvex.json statements[0]` | not&#95;affected: vulnerable&#95;code&#95;not&#95;in&#95;execute&#95;path — the image never calls the affected functions |  |');
  });

  it('names both when exceptions and VEX statements suppress findings of one policy', async () => {
    const exception = `${POLICY}exceptions:\n  - id: CVE-2019-1551\n    reason: OpenSSL is not reachable\n    expires: 2027-01-31\n`;
    const cwd = workspace({ 'policy.yml': exception, 'vex.json': MUSL_NOT_AFFECTED });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', 'vex.json', '--format', 'markdown', ...NOW], cwd);

    expect(result.stdout).toContain('4 findings suppressed by exceptions and VEX statements');
    expect(result.stdout).toContain('| CVE-2019-1551 | libssl1.1 | `severity` | CVE-2019-1551 | OpenSSL is not reachable |');
  });

  it('lists a statement older than vex_max_age_days as stale and lets the finding block', async () => {
    const cwd = workspace({ 'policy.yml': `${POLICY}settings:\n  vex_max_age_days: 20\n`, 'vex.json': MUSL_NOT_AFFECTED });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', 'vex.json', ...NOW], cwd);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('stale VEX CVE-2019-14697 (vex.json statements[0], 30 days old) no longer suppresses: older than settings.vex_max_age_days');
    expect(result.stdout).not.toContain('suppressed CVE-2019-14697');
  });

  it('exits 2 naming the file and the place of a statement without justification (the real CycloneDX VEX)', async () => {
    const cwd = workspace({ 'policy.yml': POLICY });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', fixturePath('vex/cyclonedx.json'), ...NOW], cwd);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(`image-assurance: ${fixturePath('vex/cyclonedx.json')}: vulnerabilities[1].analysis: a not_affected statement needs a justification or a detail; without one it cannot suppress anything, so the document is refused\n`);
  });

  it('exits 2 for a missing VEX file, and reads the real VEX documents without a match changing nothing', async () => {
    const cwd = workspace({ 'policy.yml': POLICY });
    const real = ['vex/openvex.json', 'vex/oci.openvex.json', 'vex/trivy.openvex.json', 'vex/csaf.json'].map(fixturePath);

    const missing = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', 'nope.json', ...NOW], cwd);
    const unmatched = await runCli(['evaluate', '--policy', 'policy.yml', '--report', fixturePath('scans/trivy/alpine-39.json'), '--vex', ...real, '--format', 'json', ...NOW], cwd);

    expect(missing).toMatchObject({ code: 2, stderr: 'image-assurance: nope.json: no such file or folder\n' });
    expect(unmatched.code).toBe(1);
    expect(JSON.parse(unmatched.stdout).images[0].policies[0].suppressed).toEqual([]);
  });
});
