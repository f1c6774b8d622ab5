import { readdirSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { FindingSeverity } from '../../src/model/severity.ts';
import { REPORT_FORMATS, type Report } from '../../src/model/report.ts';
import { readReport } from '../../src/readers/index.ts';
import { FIXTURES_DIR, readFixture } from '../helpers/fixtures.ts';

/** Every file under fixtures/scans, from the directory listing: a new fixture is covered without editing this test. */
function listScans(): string[] {
  const root = join(FIXTURES_DIR, 'scans');
  const walk = (dir: string): string[] =>
    readdirSync(dir)
      .sort()
      .flatMap((name) => {
        const path = join(dir, name);
        return statSync(path).isDirectory() ? walk(path) : [relative(FIXTURES_DIR, path)];
      });
  return walk(root);
}

function read(file: string): Report {
  return readReport(file, readFixture(file));
}

function severityCounts(report: Report): Partial<Record<FindingSeverity, number>> {
  const counts: Partial<Record<FindingSeverity, number>> = {};
  for (const vulnerability of report.vulnerabilities) counts[vulnerability.severity] = (counts[vulnerability.severity] ?? 0) + 1;
  return counts;
}

interface Expected {
  file: string;
  format: Report['format'];
  tool: string;
  vulnerabilities: number;
  severities: Partial<Record<FindingSeverity, number>>;
  secrets?: number;
  checks?: number;
  failedChecks?: number;
  licenses?: number;
  oval?: number;
  image?: string;
}

/**
 * The counts of fixtures/PROVENANCE.md's table, as our readers must produce them. Deliberate
 * differences from that table: Trivy's CycloneDX severities are the ones Trivy's JSON gives (the
 * data source's vendor, else NVD), other CycloneDX severities the highest rating (fail closed), where
 * PROVENANCE counts the first rating (fluentd: high:2, medium:1 there); SARIF counts results there,
 * severities here.
 */
const EXPECTED: Expected[] = [
  { file: 'scans/dockle/dockle_0_3_15.sarif', format: 'sarif', tool: 'dockle', vulnerabilities: 0, severities: {}, checks: 4, failedChecks: 4 },
  { file: 'scans/dockle/many_findings.json', format: 'dockle-json', tool: 'dockle', vulnerabilities: 0, severities: {}, checks: 4, failedChecks: 3 },
  { file: 'scans/grype/chainguard-ruby-test.json', format: 'grype-json', tool: 'grype', vulnerabilities: 3, severities: { high: 3 }, image: 'cgr.dev/chainguard/ruby:latest-3.0' },
  { file: 'scans/grype/check_all_fields.json', format: 'grype-json', tool: 'grype', vulnerabilities: 6, severities: { critical: 2, high: 3, negligible: 1 }, image: 'vulnerable-image:latest' },
  { file: 'scans/grype/cyclonedx/TestCycloneDxPresenterImage.json', format: 'cyclonedx-json', tool: 'grype', vulnerabilities: 2, severities: { critical: 1, low: 1 }, image: 'user-input' },
  { file: 'scans/grype/cyclonedx/grype.xml', format: 'cyclonedx-xml', tool: 'grype', vulnerabilities: 327, severities: { critical: 5, high: 24, low: 133, medium: 155, unknown: 10 }, image: 'defectdojo/defectdojo-django:1.13.1' },
  { file: 'scans/grype/ghsa-test.json', format: 'grype-json', tool: 'grype', vulnerabilities: 2, severities: { medium: 2 } },
  { file: 'scans/grype/issue_9618.json', format: 'grype-json', tool: 'grype', vulnerabilities: 35, severities: { critical: 1, high: 18, low: 2, medium: 13, unknown: 1 }, image: 'quay.io/cloudservices/xjoin-kafka-connect-strimzi:latest' },
  { file: 'scans/grype/keycloak-test.json', format: 'grype-json', tool: 'grype', vulnerabilities: 6, severities: { low: 6 } },
  { file: 'scans/grype/many_vulns2.json', format: 'grype-json', tool: 'grype', vulnerabilities: 1567, severities: { high: 26, low: 112, medium: 637, negligible: 688, unknown: 104 }, image: 'python:3.7.10' },
  { file: 'scans/grype/many_vulns3.json', format: 'grype-json', tool: 'grype', vulnerabilities: 327, severities: { critical: 5, high: 24, low: 27, medium: 155, negligible: 106, unknown: 10 }, image: 'defectdojo/defectdojo-django:1.13.1' },
  { file: 'scans/grype/many_vulns_with_epss_values.json', format: 'grype-json', tool: 'grype', vulnerabilities: 15, severities: { critical: 1, high: 10, low: 2, medium: 2 }, image: 'busybox:1.32.1' },
  { file: 'scans/grype/sarif/TestSarifPresenter_image.json', format: 'sarif', tool: 'grype', vulnerabilities: 2, severities: { critical: 1, low: 1 }, image: 'user-input' },
  { file: 'scans/openscap/arf_simple_rule_fail.xml', format: 'oval-xml', tool: 'openscap', vulnerabilities: 0, severities: {}, checks: 1, failedChecks: 1, oval: 1 },
  { file: 'scans/trivy/alpine-39.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 6, severities: { critical: 2, medium: 4 }, image: 'ghcr.io/aquasecurity/trivy-test-images:alpine-39' },
  { file: 'scans/trivy/amazon-2.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 2, severities: { low: 1, medium: 1 } },
  { file: 'scans/trivy/centos-7.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 3, severities: { low: 2, medium: 1 } },
  { file: 'scans/trivy/cyclonedx/fluentd-multiple-lockfiles-short.cdx.json', format: 'cyclonedx-json', tool: 'trivy', vulnerabilities: 3, severities: { critical: 1, high: 1, low: 1 } },
  { file: 'scans/trivy/cyclonedx/pom-cyclonedx.json', format: 'cyclonedx-json', tool: 'trivy', vulnerabilities: 2, severities: { critical: 1, high: 1 } },
  { file: 'scans/trivy/debian-stretch.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 5, severities: { low: 1, medium: 4 } },
  { file: 'scans/trivy/distroless-python27.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 4, severities: { low: 2, medium: 2 } },
  { file: 'scans/trivy/dockerfile.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 0, severities: {}, checks: 1, failedChecks: 1 },
  { file: 'scans/trivy/fluentd-gems.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 2, severities: { critical: 1, high: 1 } },
  { file: 'scans/trivy/juice-shop-v10.2.0.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 236, severities: { critical: 25, high: 128, low: 16, medium: 67 }, secrets: 1, image: 'bkimminich/juice-shop:v10.2.0' },
  { file: 'scans/trivy/license_scheme.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 0, severities: {}, licenses: 19, image: 'alpine:3.11' },
  { file: 'scans/trivy/opensuse-leap-151.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 2, severities: { medium: 2 } },
  { file: 'scans/trivy/photon-30.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 3, severities: { critical: 2, high: 1 } },
  { file: 'scans/trivy/sarif/alpine-310.sarif.json', format: 'sarif', tool: 'trivy', vulnerabilities: 4, severities: { medium: 4 }, image: 'ghcr.io/aquasecurity/trivy-test-images:alpine-310' },
  { file: 'scans/trivy/sarif/image-sarif.test.json', format: 'sarif', tool: 'trivy', vulnerabilities: 80, severities: { critical: 23, high: 28, low: 1, medium: 26, unknown: 2 }, image: 'knqyf263/vuln-image' },
  { file: 'scans/trivy/secrets.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 0, severities: {}, secrets: 2 },
  { file: 'scans/trivy/spring4shell-jre11.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 1, severities: { critical: 1 } },
  { file: 'scans/trivy/ubi-7-comprehensive.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 2, severities: { high: 1, low: 1 } },
  { file: 'scans/trivy/ubuntu-1804.json', format: 'trivy-json', tool: 'trivy', vulnerabilities: 5, severities: { low: 1, medium: 4 } },
];

describe('src/readers/index (every fixture)', () => {
  it.each(listScans())('reads %s', (file) => {
    const report = read(file);

    expect(report.path).toBe(file);
    expect(REPORT_FORMATS).toContain(report.format);
  });

  it.each(EXPECTED)('$file gives the counts of the PROVENANCE table', (expected) => {
    const report = read(expected.file);

    expect({
      format: report.format,
      tool: report.tool,
      vulnerabilities: report.vulnerabilities.length,
      severities: severityCounts(report),
      secrets: report.secrets.length,
      checks: report.checks.length,
      failedChecks: report.checks.filter((check) => check.status === 'fail').length,
      licenses: report.licenses.length,
      oval: report.oval.length,
    }).toEqual({
      format: expected.format,
      tool: expected.tool,
      vulnerabilities: expected.vulnerabilities,
      severities: expected.severities,
      secrets: expected.secrets ?? 0,
      checks: expected.checks ?? 0,
      failedChecks: expected.failedChecks ?? 0,
      licenses: expected.licenses ?? 0,
      oval: expected.oval ?? 0,
    });
    if (expected.image !== undefined) expect(report.image?.name).toBe(expected.image);
  });

  it('has a row for every fixture in the table', () => {
    const listed = new Set(EXPECTED.map((row) => row.file));

    const missing = listScans().filter((file) => !listed.has(file));

    expect(missing).toEqual([]);
  });
});
