import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/readers/index.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { problemsOf } from '../helpers/input-error.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));

function trivyReport(vulnerability: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    SchemaVersion: 2,
    ArtifactName: 'ghcr.io/acme/api:1.2.3',
    ArtifactType: 'container_image',
    Metadata: { ImageID: 'sha256:id' },
    Results: [
      { Target: 'os', Class: 'os-pkgs', Type: 'alpine', Vulnerabilities: [] },
      { Target: 'lang', Class: 'lang-pkgs', Type: 'npm', Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'a', InstalledVersion: '1', ...vulnerability }] },
    ],
    ...extra,
  };
}

describe('src/readers/trivy/read', () => {
  it.each([
    ['PkgPath when it is there', { PkgPath: 'app/node_modules/a/package.json' }, 'app/package-lock.json', 'app/node_modules/a/package.json'],
    ['the Target file (a lock file, a binary) without PkgPath', {}, 'app/package-lock.json', 'app/package-lock.json'],
    ["nothing for Trivy's aggregate Target (Node.js)", {}, 'Node.js', undefined],
  ])('locates a language package by %s', (_name, vulnerability, target, path) => {
    const doc = trivyReport(vulnerability);
    (doc['Results'] as Record<string, unknown>[])[1]!['Target'] = target;

    const report = readReport('r.json', encode(doc));

    expect(report.vulnerabilities[0]!.path).toBe(path);
  });

  it('reads the image identity, OS, config and a vulnerability of a real report', () => {
    const report = readReport('juice.json', readFixture('scans/trivy/juice-shop-v10.2.0.json'));

    expect(report.image).toEqual({
      name: 'bkimminich/juice-shop:v10.2.0',
      digest: 'sha256:b1802758946aa40549b98ee6b8f93e9b92d0a6bf7aed139284893466be9c5065',
      imageId: 'sha256:21ef0dc04325e8ee21e385dc672460ed6b5c058cef1fedb84086ed5fca3f91cd',
      repoTags: ['bkimminich/juice-shop:v10.2.0'],
      repoDigests: ['bkimminich/juice-shop@sha256:b1802758946aa40549b98ee6b8f93e9b92d0a6bf7aed139284893466be9c5065'],
    });
    expect(report.os).toEqual({ family: 'alpine', name: '3.11.5', eol: true });
    expect(report.config?.user).toBe('juicer');
    expect(report.config?.labels['org.opencontainers.image.version']).toBe('10.2.0');
    expect(report.vulnerabilities[0]).toEqual({
      id: 'CVE-2021-36159',
      aliases: [],
      package: 'apk-tools',
      packageType: 'alpine',
      published: '2021-08-03T14:15:08.233Z',
      installedVersion: '2.10.4-r3',
      fixedVersion: '2.10.7-r0',
      purl: 'pkg:apk/alpine/apk-tools@2.10.4-r3?arch=x86_64&distro=3.11.5',
      severity: 'critical',
      status: 'fixed',
      title: 'libfetch: an out of boundary read while libfetch uses strtol to parse the relevant numbers into address bytes leads to information leak or crash',
      url: 'https://avd.aquasec.com/nvd/cve-2021-36159',
      cvss: [
        { version: '2.0', score: 6.4, source: 'nvd', vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:P' },
        { version: '3.1', score: 9.1, source: 'nvd', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H' },
        { version: '3.1', score: 9.1, source: 'redhat', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:N/A:H' },
      ],
    });
    expect(report.secrets).toEqual([
      { ruleId: 'private-key', category: 'AsymmetricPrivateKey', severity: 'high', title: 'Asymmetric Private Key', target: '/juice-shop/lib/insecurity.js', line: 19 },
    ]);
  });

  it('keeps a config without User (root) and takes the name from RepoTags over a tarball ArtifactName', () => {
    const report = readReport('alpine.json', readFixture('scans/trivy/alpine-39.json'));

    expect(report.config).toEqual({ labels: {} });
    expect(report.image?.name).toBe('ghcr.io/aquasecurity/trivy-test-images:alpine-39');
    expect(report.image?.digest).toBeUndefined();
  });

  it('reads every CVSS source, with the version from the vector', () => {
    const report = readReport(
      'r.json',
      encode(
        trivyReport({
          CVSS: {
            nvd: { V2Score: 5, V2Vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N', V3Score: 5.3, V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
            redhat: { V3Score: 4.8, V3Vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N' },
            ghsa: { V40Score: 8.7, V40Vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N' },
            bare: { V3Score: 7 },
          },
        }),
      ),
    );

    expect(report.vulnerabilities[0]!.cvss).toEqual([
      { version: '2.0', score: 5, source: 'nvd', vector: 'AV:N/AC:L/Au:N/C:P/I:N/A:N' },
      { version: '3.1', score: 5.3, source: 'nvd', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:L/I:N/A:N' },
      { version: '3.0', score: 4.8, source: 'redhat', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:N' },
      { version: '4.0', score: 8.7, source: 'ghsa', vector: 'CVSS:4.0/AV:N/AC:L/AT:N/PR:N/UI:N/VC:H/VI:N/VA:N/SC:N/SI:N/SA:N' },
      { version: '3.1', score: 7, source: 'bare' },
    ]);
  });

  it.each([
    { name: 'an empty FixedVersion', vulnerability: { FixedVersion: '' }, fixedVersion: undefined },
    { name: 'a missing FixedVersion', vulnerability: {}, fixedVersion: undefined },
    { name: 'a FixedVersion', vulnerability: { FixedVersion: '1.2' }, fixedVersion: '1.2' },
  ])('sets fixedVersion only for a non-empty FixedVersion: $name', ({ vulnerability, fixedVersion }) => {
    const report = readReport('r.json', encode(trivyReport(vulnerability)));

    expect(report.vulnerabilities[0]!.fixedVersion).toBe(fixedVersion);
  });

  it.each([
    { name: 'UNKNOWN', severity: 'UNKNOWN', expected: 'unknown' },
    { name: 'missing', severity: undefined, expected: 'unknown' },
    { name: 'LOW', severity: 'LOW', expected: 'low' },
  ])('maps a $name Severity', ({ severity, expected }) => {
    const report = readReport('r.json', encode(trivyReport({ Severity: severity })));

    expect(report.vulnerabilities[0]!.severity).toBe(expected);
  });

  it('keeps VendorIDs as aliases', () => {
    const report = readReport('r.json', encode(trivyReport({ VendorIDs: ['DSA-1', 'CVE-1', 'DSA-1'] })));

    expect(report.vulnerabilities[0]!.aliases).toEqual(['DSA-1']);
  });

  it.each([
    { name: 'no VulnerabilityID', vulnerability: { VulnerabilityID: undefined }, path: 'Results[1].Vulnerabilities[0].VulnerabilityID: expected a string (got nothing)' },
    { name: 'a numeric VulnerabilityID', vulnerability: { VulnerabilityID: 7 }, path: 'Results[1].Vulnerabilities[0].VulnerabilityID: expected a string (got number 7)' },
    { name: 'a Severity that is not a string', vulnerability: { Severity: 4 }, path: 'Results[1].Vulnerabilities[0].Severity: expected a string (got number 4)' },
    { name: 'no PkgName', vulnerability: { PkgName: '' }, path: 'Results[1].Vulnerabilities[0].PkgName: expected a string (got an empty string)' },
    { name: 'a FixedVersion that is not a string', vulnerability: { FixedVersion: ['1'] }, path: 'Results[1].Vulnerabilities[0].FixedVersion: expected a string (got an array)' },
    { name: 'a CVSS score that is not a number', vulnerability: { CVSS: { nvd: { V3Score: '9.8' } } }, path: 'Results[1].Vulnerabilities[0].CVSS.nvd.V3Score: expected a number (got the string "9.8")' },
    { name: 'VendorIDs that are not strings', vulnerability: { VendorIDs: [1] }, path: 'Results[1].Vulnerabilities[0].VendorIDs[0]: expected a string (got number 1)' },
  ])('rejects $name, naming the JSON path', ({ vulnerability, path }) => {
    expect(problemsOf(() => readReport('r.json', encode(trivyReport(vulnerability))))).toEqual([{ file: 'r.json', message: path }]);
  });

  it.each([
    { name: 'Vulnerabilities that are not an array', extra: { Results: [{ Target: 't', Vulnerabilities: {} }] }, message: 'Results[0].Vulnerabilities: expected an array (got an object)' },
    { name: 'a Result that is not an object', extra: { Results: ['x'] }, message: 'Results[0]: expected an object (got the string "x")' },
    { name: 'SchemaVersion 1', extra: { SchemaVersion: 1 }, message: 'SchemaVersion: expected Trivy JSON SchemaVersion 2 (got number 1)' },
    { name: 'a label that is not a string', extra: { Metadata: { ImageID: 'sha256:id', ImageConfig: { config: { Labels: { tier: 1 } } } } }, message: 'Metadata.ImageConfig.config.Labels["tier"]: expected a string (got number 1)' },
    { name: 'a misconfiguration without Status', extra: { Results: [{ Target: 'Dockerfile', Class: 'config', Misconfigurations: [{ ID: 'DS002' }] }] }, message: 'Results[0].Misconfigurations[0].Status: expected a string (FAIL, PASS, …) (got nothing)' },
    { name: 'a secret without RuleID', extra: { Results: [{ Target: 'a', Class: 'secret', Secrets: [{ Severity: 'HIGH' }] }] }, message: 'Results[0].Secrets[0].RuleID: expected a string (got nothing)' },
  ])('rejects $name', ({ extra, message }) => {
    expect(problemsOf(() => readReport('r.json', encode(trivyReport({}, extra))))).toEqual([{ file: 'r.json', message }]);
  });

  it('reads misconfigurations: FAIL fails, PASS passes, others are skipped; AVDID is an alternative ID, and so is its AVD-less form (DS-0002)', () => {
    const report = readReport(
      'r.json',
      encode({
        SchemaVersion: 2,
        ArtifactName: '.',
        ArtifactType: 'filesystem',
        Results: [
          {
            Target: 'Dockerfile',
            Class: 'config',
            Misconfigurations: [
              { ID: 'DS002', AVDID: 'AVD-DS-0002', Title: 'root', Severity: 'HIGH', Status: 'FAIL', Message: 'm' },
              { ID: 'DS001', Status: 'PASS', Severity: 'LOW' },
              { ID: 'DS003', Status: 'EXCEPTION', Severity: 'LOW' },
            ],
          },
        ],
      }),
    );

    expect(report.image).toBeUndefined();
    expect(report.checks).toEqual([
      { id: 'DS002', altIds: ['AVD-DS-0002', 'DS-0002'], title: 'root', severity: 'high', status: 'fail', tool: 'trivy', target: 'Dockerfile', message: 'm' },
      { id: 'DS001', altIds: [], title: 'DS001', severity: 'low', status: 'pass', tool: 'trivy', target: 'Dockerfile' },
      { id: 'DS003', altIds: [], title: 'DS003', severity: 'low', status: 'skip', tool: 'trivy', target: 'Dockerfile' },
    ]);
  });

  it('reads Packages with licenses and license findings', () => {
    const report = readReport(
      'r.json',
      encode(
        trivyReport({}, {
          Results: [
            { Target: 'os', Class: 'os-pkgs', Type: 'alpine', Packages: [{ Name: 'musl', Version: '1.2', Licenses: ['MIT'] }] },
            { Target: 'OS Packages', Class: 'license', Licenses: [{ Name: 'GPL-2.0', PkgName: 'busybox', Severity: 'HIGH', FilePath: '' }] },
          ],
        }),
      ),
    );

    expect(report.packages).toEqual([{ name: 'musl', version: '1.2', type: 'alpine', licenses: ['MIT'] }]);
    expect(report.licenses).toEqual([{ license: 'GPL-2.0', package: 'busybox', severity: 'high', target: 'OS Packages' }]);
  });

  it('names the image by Reference, then by ArtifactName for a container image', () => {
    const byReference = readReport('r.json', encode(trivyReport({}, { Metadata: { ImageID: 'sha256:id', Reference: 'ghcr.io/acme/ref:1' } })));
    const byArtifact = readReport('r.json', encode(trivyReport({})));

    expect(byReference.image?.name).toBe('ghcr.io/acme/ref:1');
    expect(byArtifact.image?.name).toBe('ghcr.io/acme/api:1.2.3');
    expect(byArtifact.config).toBeUndefined();
  });

  it('reads --show-suppressed ExperimentalModifiedFindings as the findings they are: .trivyignore waives nothing', () => {
    const suppressed = (Type: string, Finding: Record<string, unknown>) => ({ Type, Status: 'ignored', Statement: 'accepted risk', Source: '.trivyignore', Finding });
    const report = readReport(
      'r.json',
      encode(
        trivyReport({}, {
          Results: [
            {
              Target: 'os',
              Class: 'os-pkgs',
              Type: 'alpine',
              Vulnerabilities: [{ VulnerabilityID: 'CVE-1', PkgName: 'musl', InstalledVersion: '1', Severity: 'LOW' }],
              ExperimentalModifiedFindings: [
                suppressed('vulnerability', { VulnerabilityID: 'CVE-2', PkgName: 'openssl', InstalledVersion: '1.1', FixedVersion: '1.2', Severity: 'CRITICAL' }),
                { ...suppressed('vulnerability', { VulnerabilityID: 'CVE-3', PkgName: 'zlib', InstalledVersion: '1', Severity: 'HIGH' }), Status: 'not_affected', Source: 'vex.json' },
              ],
            },
            {
              Target: 'Dockerfile',
              Class: 'config',
              Type: 'dockerfile',
              ExperimentalModifiedFindings: [suppressed('misconfiguration', { ID: 'DS002', AVDID: 'AVD-DS-0002', Status: 'FAIL', Severity: 'HIGH', Title: 'root user' })],
            },
            { Target: '/app/.env', Class: 'secret', ExperimentalModifiedFindings: [suppressed('secret', { RuleID: 'aws-access-key-id', Severity: 'CRITICAL', Title: 'AWS key', StartLine: 3 })] },
            { Target: 'OS Packages', Class: 'license', ExperimentalModifiedFindings: [suppressed('license', { Name: 'GPL-3.0', PkgName: 'bash', Severity: 'HIGH' })] },
          ],
        }),
      ),
    );

    expect(report.vulnerabilities.map((v) => [v.id, v.package, v.severity, v.fixedVersion ?? null, v.packageType])).toEqual([
      ['CVE-1', 'musl', 'low', null, 'alpine'],
      ['CVE-2', 'openssl', 'critical', '1.2', 'alpine'],
      ['CVE-3', 'zlib', 'high', null, 'alpine'],
    ]);
    expect(report.checks).toEqual([{ id: 'DS002', altIds: ['AVD-DS-0002', 'DS-0002'], title: 'root user', severity: 'high', status: 'fail', tool: 'trivy', target: 'Dockerfile' }]);
    expect(report.secrets).toEqual([{ ruleId: 'aws-access-key-id', severity: 'critical', title: 'AWS key', target: '/app/.env', line: 3 }]);
    expect(report.licenses).toEqual([{ license: 'GPL-3.0', package: 'bash', severity: 'high', target: 'OS Packages' }]);
  });

  it.each([
    { name: 'ExperimentalModifiedFindings that is not a list', modified: {}, message: 'Results[0].ExperimentalModifiedFindings: expected an array (got an object)' },
    { name: 'a modified finding of an unknown type', modified: [{ Type: 'malware', Finding: {} }], message: 'Results[0].ExperimentalModifiedFindings[0].Type: expected vulnerability, misconfiguration, secret or license (got the string "malware")' },
    { name: 'a suppressed vulnerability without an ID', modified: [{ Type: 'vulnerability', Finding: { PkgName: 'a' } }], message: 'Results[0].ExperimentalModifiedFindings[0].Finding.VulnerabilityID: expected a string (got nothing)' },
    { name: 'a suppressed finding that is not an object', modified: [{ Type: 'secret', Finding: 'x' }], message: 'Results[0].ExperimentalModifiedFindings[0].Finding: expected an object (got the string "x")' },
  ])('rejects $name, naming the JSON path', ({ modified, message }) => {
    const doc = trivyReport({}, { Results: [{ Target: 'os', Type: 'alpine', ExperimentalModifiedFindings: modified }] });
    expect(problemsOf(() => readReport('r.json', encode(doc)))).toEqual([{ file: 'r.json', message }]);
  });
});
