import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { readReport } from '../../src/readers/index.ts';
import { severityFromScore } from '../../src/readers/sarif/read.ts';
import { readFixture } from '../helpers/fixtures.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function sarif(driver: Record<string, unknown>, results: unknown[], run: Record<string, unknown> = {}): Record<string, unknown> {
  return { version: '2.1.0', runs: [{ tool: { driver }, results, ...run }] };
}

describe('src/readers/sarif/read', () => {
  it("reads Trivy's SARIF as vulnerabilities, with package, versions and the image from the run properties", () => {
    const report = readReport('t.sarif', readFixture('scans/trivy/sarif/alpine-310.sarif.json'));

    expect(report.tool).toBe('trivy');
    expect(report.image).toEqual({
      name: 'ghcr.io/aquasecurity/trivy-test-images:alpine-310',
      imageId: 'sha256:961769676411f082461f9ef46626dd7a2d1e2b2a38e6a44364bcbecf51e66dd4',
      repoTags: ['ghcr.io/aquasecurity/trivy-test-images:alpine-310'],
      repoDigests: [],
    });
    expect(report.vulnerabilities[0]).toEqual({
      id: 'CVE-2019-1549',
      aliases: [],
      package: 'libcrypto1.1',
      packageType: '',
      installedVersion: '1.1.1c-r0',
      fixedVersion: '1.1.1d-r0',
      status: 'fixed',
      severity: 'medium',
      title: 'openssl: information disclosure in fork()',
      url: 'https://avd.aquasec.com/nvd/cve-2019-1549',
      cvss: [
        { version: '2.0', score: 5, source: 'trivy', vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' },
        { version: '3.1', score: 5.3, source: 'trivy', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
      ],
    });
  });

  it("names the image from the OS results' artifact URI in older Trivy SARIF", () => {
    const report = readReport('t.sarif', readFixture('scans/trivy/sarif/image-sarif.test.json'));

    expect(report.image?.name).toBe('knqyf263/vuln-image');
    expect(report.vulnerabilities[0]).toMatchObject({ id: 'CVE-2018-14618', package: 'curl', installedVersion: '7.61.0-r0', fixedVersion: '7.61.1-r0', severity: 'critical' });
  });

  it("reads Grype's SARIF: the CVE without the package suffix, package and fix from the rule help", () => {
    const report = readReport('g.sarif', readFixture('scans/grype/sarif/TestSarifPresenter_image.json'));

    expect(report.image?.name).toBe('user-input');
    expect(report.vulnerabilities.map(({ id, package: pkg, installedVersion, fixedVersion, severity, packageType }) => ({ id, pkg, installedVersion, fixedVersion, severity, packageType }))).toEqual([
      { id: 'CVE-1999-0001', pkg: 'package-1', installedVersion: '1.1.1', fixedVersion: '1.2.1,2.1.3,3.4.0', severity: 'low', packageType: 'rpm' },
      { id: 'CVE-1999-0002', pkg: 'package-2', installedVersion: '2.2.2', fixedVersion: undefined, severity: 'critical', packageType: 'deb' },
    ]);
  });

  it("reads Dockle's SARIF as failed checks that name no image", () => {
    const report = readReport('d.sarif', readFixture('scans/dockle/dockle_0_3_15.sarif'));

    expect(report.image).toBeUndefined();
    expect(report.checks.map(({ id, severity, status, tool }) => ({ id, severity, status, tool }))).toEqual([
      { id: 'CIS-DI-0010', severity: 'high', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0005', severity: 'low', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0006', severity: 'low', status: 'fail', tool: 'dockle' },
      { id: 'CIS-DI-0008', severity: 'low', status: 'fail', tool: 'dockle' },
    ]);
    expect(report.checks[0]!.title).toBe('Do not store credential in ENVIRONMENT vars/files');
  });

  it("reads another tool's results as checks, with the location and the security-severity", () => {
    const report = readReport(
      'h.sarif',
      encode(
        sarif({ name: 'Hadolint', rules: [{ id: 'DL3007', shortDescription: { text: 'Using latest' }, properties: { 'security-severity': '7.5' } }] }, [
          { ruleId: 'DL3007', level: 'warning', message: { text: 'pin the tag' }, locations: [{ physicalLocation: { artifactLocation: { uri: 'Dockerfile' }, region: { startLine: 3 } } }] },
          { ruleId: 'DL3008', message: { text: 'pin versions' } },
          { ruleId: 'DL3009', level: 'note', kind: 'pass', message: { text: 'ok' } },
        ]),
      ),
    );

    expect(report.checks).toEqual([
      { id: 'DL3007', altIds: [], title: 'Using latest', severity: 'high', status: 'fail', tool: 'hadolint', message: 'pin the tag', location: { path: 'Dockerfile', line: 3 }, target: 'Dockerfile' },
      { id: 'DL3008', altIds: [], title: 'DL3008', severity: 'medium', status: 'fail', tool: 'hadolint', message: 'pin versions' },
      { id: 'DL3009', altIds: [], title: 'DL3009', severity: 'low', status: 'pass', tool: 'hadolint', message: 'ok' },
    ]);
  });

  it.each([
    { score: 9, severity: 'critical' },
    { score: 7, severity: 'high' },
    { score: 6.9, severity: 'medium' },
    { score: 4, severity: 'medium' },
    { score: 0.1, severity: 'low' },
    { score: 0, severity: 'unknown' },
  ])('maps security-severity $score to $severity', ({ score, severity }) => {
    expect(severityFromScore(score)).toBe(severity);
  });

  it.each([
    { name: 'SARIF 2.0.0', doc: { version: '2.0.0', runs: [] }, message: 'version: expected SARIF "2.1.0" (got the string "2.0.0")' },
    { name: 'a run without a tool name', doc: { version: '2.1.0', runs: [{ tool: { driver: {} }, results: [] }] }, message: 'runs[0].tool.driver.name: expected a non-empty string (got nothing)' },
    { name: 'a result without ruleId', doc: sarif({ name: 'x' }, [{ message: { text: 'm' } }]), message: 'runs[0].results[0].ruleId: expected a string (got nothing)' },
    { name: 'an unknown level', doc: sarif({ name: 'x' }, [{ ruleId: 'a', level: 'fatal' }]), message: 'runs[0].results[0].level: expected error, warning, note or none (got the string "fatal")' },
    { name: 'a Trivy result without a package', doc: sarif({ name: 'Trivy', rules: [{ id: 'CVE-1', properties: { tags: ['vulnerability'] } }] }, [{ ruleId: 'CVE-1', message: { text: 'Severity: HIGH' } }]), message: 'runs[0].results[0].message.text: expected a "Package: …" line naming the package' },
  ])('rejects $name', ({ doc, message }) => {
    try {
      readReport('s.sarif', encode(doc));
      expect.unreachable('expected an InputError');
    } catch (error) {
      expect(error).toBeInstanceOf(InputError);
      expect((error as InputError).problems).toEqual([{ file: 's.sarif', message }]);
    }
  });
});
