import { describe, expect, it } from 'vitest';
import { readFixtureJson, readFixtureText } from '../helpers/fixtures.ts';
import { runCli, workspace } from './helpers.ts';

/**
 * `evaluate --baseline PATH…`: the same classes as the app, from the baseline image's reports. The
 * baseline is a real Trivy report (alpine 3.9: two criticals in musl and musl-utils); the head is the
 * same report with one critical more, as a pull request that adds busybox would scan.
 */

const POLICY = `version: 1
policies:
  - name: gate
    findings: introduced
    rules:
      severity: critical
`;

function headReport(): string {
  const doc = readFixtureJson<{ Results: { Vulnerabilities: Record<string, unknown>[] }[] }>('scans/trivy/alpine-39.json');
  doc.Results[0]!.Vulnerabilities.push({ VulnerabilityID: 'CVE-2024-9999', PkgName: 'busybox', InstalledVersion: '1.29.3-r10', Severity: 'CRITICAL' });
  return JSON.stringify(doc);
}

describe('cli/evaluate --baseline', () => {
  it('blocks only the critical the change brought, and attributes every violation in the JSON', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'head/trivy.json': headReport(), 'base/trivy.json': readFixtureText('scans/trivy/alpine-39.json') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'head', '--baseline', 'base', '--format', 'json', '--now', '2026-11-26'], cwd);

    expect(result.code).toBe(1);
    const [image] = JSON.parse(result.stdout).images;
    expect(image.baseline).toEqual({ source: 'reports' });
    expect(image.policies[0].findings).toBe('introduced');
    expect(image.policies[0].violations.map((v: { id: string; attribution: string }) => `${v.id} ${v.attribution}`)).toEqual(['CVE-2024-9999 introduced']);
    expect(image.policies[0].warnings.map((v: { package: string; attribution: string }) => `${v.package} ${v.attribution}`)).toEqual(['musl inherited', 'musl-utils inherited']);
  });

  it('passes with warnings when the head brings nothing new, and says so in the text output', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'head.json': readFixtureText('scans/trivy/alpine-39.json'), 'base.json': readFixtureText('scans/trivy/alpine-39.json') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'head.json', '--baseline', 'base.json', '--now', '2026-11-26'], cwd);

    expect(result.code).toBe(0);
    expect(result.stdout).toContain('0 introduced · 2 inherited · 0 newly disclosed, compared with the --baseline reports');
    expect(result.stdout).toMatch(/^ {2}inherited\s+critical 9\.8\s+CVE-2019-14697\s+musl\s+1\.1\.20-r4 → 1\.1\.20-r5\s+gate \(does not block\): severity$/m);
  });

  it('counts every finding as introduced without --baseline (fail closed)', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'head.json': readFixtureText('scans/trivy/alpine-39.json') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'head.json', '--format', 'json', '--now', '2026-11-26'], cwd);

    expect(result.code).toBe(1);
    const [image] = JSON.parse(result.stdout).images;
    expect(image.baseline).toBeUndefined();
    expect(image.policies[0].violations.map((v: { attribution: string }) => v.attribution)).toEqual(['introduced', 'introduced']);
  });

  it('names a missing baseline file as bad input (exit 2)', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'head.json': readFixtureText('scans/trivy/alpine-39.json') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'head.json', '--baseline', 'nope.json'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toContain('nope.json');
  });
});
