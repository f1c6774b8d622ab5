import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/readers/index.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { problemsOf } from '../helpers/input-error.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(JSON.stringify(value));
const base64 = (value: unknown): string => Buffer.from(JSON.stringify(value)).toString('base64');

function grypeReport(match: { vulnerability?: Record<string, unknown>; artifact?: Record<string, unknown>; relatedVulnerabilities?: unknown }, target: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    matches: [
      {
        vulnerability: { id: 'CVE-1', severity: 'High', ...match.vulnerability },
        artifact: { name: 'openssl', version: '1.1', type: 'apk', ...match.artifact },
        ...(match.relatedVulnerabilities === undefined ? {} : { relatedVulnerabilities: match.relatedVulnerabilities }),
      },
    ],
    source: { type: 'image', target: { userInput: 'ghcr.io/acme/api:1', imageID: 'sha256:id', manifestDigest: 'sha256:manifest', tags: [], repoDigests: [], ...target } },
    distro: { name: 'alpine', version: '3.19' },
    descriptor: { name: 'grype', version: '0.80.0' },
  };
}

describe('src/readers/grype/read', () => {
  it("keeps the artifact's package URL on the vulnerability and the package (VEX matches packages by it)", () => {
    const report = readReport('ghsa.json', readFixture('scans/grype/ghsa-test.json'));

    expect(report.vulnerabilities[0]?.purl).toBe('pkg:maven/org.apache.httpcomponents/httpclient@4.1.1');
    expect(report.packages[0]?.purl).toBe('pkg:maven/org.apache.httpcomponents/httpclient@4.1.1');
  });

  it('decodes the base64 image config for User and Labels', () => {
    const config = base64({ architecture: 'amd64', config: { User: 'app:app', Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' } } });

    const report = readReport('g.json', encode(grypeReport({}, { config })));

    expect(report.config).toEqual({ user: 'app:app', labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' } });
  });

  it('reads the config of a real report (User 1001, labels from the config)', () => {
    const report = readReport('g.json', readFixture('scans/grype/issue_9618.json'));

    expect(report.config?.user).toBe('1001');
    expect(report.config?.labels['vendor']).toBe('Red Hat, Inc.');
  });

  it('reads an empty User as root and null Labels as none (old grype)', () => {
    const report = readReport('g.json', readFixture('scans/grype/many_vulns2.json'));

    expect(report.config).toEqual({ user: '', labels: {} });
  });

  it.each([
    { name: 'not base64 JSON', config: '%%%not-base64%%%' },
    { name: 'base64 of a JSON array', config: base64([1]) },
  ])('rejects a config that is $name', ({ config }) => {
    const problems = problemsOf(() => readReport('g.json', encode(grypeReport({}, { config })))) as { message: string }[];

    expect(problems[0]!.message).toMatch(/^source\.target\.config: expected the base64-encoded image config JSON/);
  });

  it('reads the image identity: the RepoDigest first, then the manifest digest', () => {
    const withRepoDigest = readReport('g.json', encode(grypeReport({}, { repoDigests: ['ghcr.io/acme/api@sha256:index'] })));
    const withoutRepoDigest = readReport('g.json', encode(grypeReport({})));

    expect(withRepoDigest.image).toEqual({ name: 'ghcr.io/acme/api:1', digest: 'sha256:index', imageId: 'sha256:id', repoTags: [], repoDigests: ['ghcr.io/acme/api@sha256:index'] });
    expect(withoutRepoDigest.image?.digest).toBe('sha256:manifest');
    expect(withoutRepoDigest.os).toEqual({ family: 'alpine', name: '3.19', eol: false });
  });

  it('names no image for a directory scan', () => {
    const report = grypeReport({});
    (report['source'] as Record<string, unknown>)['type'] = 'directory';

    expect(readReport('g.json', encode(report)).image).toBeUndefined();
  });

  it.each([
    { name: 'fixed with a version', fix: { state: 'fixed', versions: ['1.2', '2.1'] }, fixedVersion: '1.2, 2.1', status: 'fixed' },
    { name: 'fixed without a version', fix: { state: 'fixed', versions: [] }, fixedVersion: undefined, status: 'fixed' },
    { name: 'not-fixed', fix: { state: 'not-fixed', versions: [] }, fixedVersion: undefined, status: 'not-fixed' },
    { name: "wont-fix with a version", fix: { state: 'wont-fix', versions: ['9'] }, fixedVersion: undefined, status: 'wont-fix' },
    { name: 'an empty state', fix: { state: '', versions: [] }, fixedVersion: undefined, status: undefined },
  ])('has a fix only when fix.state is fixed with a version: $name', ({ fix, fixedVersion, status }) => {
    const report = readReport('g.json', encode(grypeReport({ vulnerability: { fix } })));

    expect(report.vulnerabilities[0]!.fixedVersion).toBe(fixedVersion);
    expect(report.vulnerabilities[0]!.status).toBe(status);
  });

  it('counts the CVSS scores of related vulnerabilities, and their IDs and advisories as aliases', () => {
    const report = readReport('g.json', readFixture('scans/grype/issue_9618.json'));

    const avahi = report.vulnerabilities[0]!;

    expect(avahi).toMatchObject({ id: 'CVE-2023-38473', package: 'avahi-libs', installedVersion: '0.7-20.el8', fixedVersion: '0:0.7-21.el8_9.1', aliases: ['RHSA-2023:7836'] });
    expect(avahi.cvss).toEqual([
      { version: '3.1', score: 6.2, source: 'redhat:distro:redhat:8', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
      { version: '3.1', score: 5.5, source: 'nvd@nist.gov', vector: 'CVSS:3.1/AV:L/AC:L/PR:L/UI:N/S:U/C:N/I:N/A:H' },
      { version: '3.1', score: 6.2, source: 'secalert@redhat.com', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:N/S:U/C:N/I:N/A:H' },
    ]);
  });

  it('keeps a related GHSA as an alias', () => {
    const report = readReport('g.json', encode(grypeReport({ relatedVulnerabilities: [{ id: 'GHSA-xxxx', cvss: [{ version: '3.1', vector: 'CVSS:3.1/AV:N', metrics: { baseScore: 9.8 } }] }] })));

    expect(report.vulnerabilities[0]!.aliases).toEqual(['GHSA-xxxx']);
    expect(report.vulnerabilities[0]!.cvss).toEqual([{ version: '3.1', score: 9.8, source: 'grype', vector: 'CVSS:3.1/AV:N' }]);
  });

  it('reads the old shape: cvssV2/cvssV3 and fixedInVersion', () => {
    const report = readReport('g.json', readFixture('scans/grype/many_vulns2.json'));

    const pip = report.vulnerabilities.find((v) => v.id === 'CVE-2018-20225' && v.package === 'pip')!;
    const fixed = report.vulnerabilities.find((v) => v.id === 'CVE-2020-17525')!;

    expect(pip.cvss).toEqual([
      { version: '2.0', score: 6.8, source: 'grype', vector: 'AV:N/AC:M/Au:N/C:P/I:P/A:P' },
      { version: '3.1', score: 7.8, source: 'grype', vector: 'CVSS:3.1/AV:L/AC:L/PR:N/UI:R/S:U/C:H/I:H/A:H' },
    ]);
    expect(pip).toMatchObject({ severity: 'high', installedVersion: '21.0.1', packageType: 'python' });
    expect(pip.fixedVersion).toBeUndefined();
    expect(fixed).toMatchObject({ fixedVersion: '1.10.4-1+deb10u2', severity: 'unknown', status: 'fixed' });
  });

  it('ignores an old cvssV3 with score 0 and no vector', () => {
    const report = readReport('g.json', encode(grypeReport({ vulnerability: { cvssV3: { baseScore: 0, vector: '' } } })));

    expect(report.vulnerabilities[0]!.cvss).toEqual([]);
  });

  it('lists each matched package once, with its licenses', () => {
    const report = readReport('g.json', readFixture('scans/grype/chainguard-ruby-test.json'));

    expect(report.packages.map((pkg) => `${pkg.type}:${pkg.name}@${pkg.version}`).sort()).toEqual(
      [...new Set(report.vulnerabilities.map((v) => `${v.packageType}:${v.package}@${v.installedVersion}`))].sort(),
    );
  });

  it.each([
    { name: 'no vulnerability id', match: { vulnerability: { id: undefined } }, message: 'matches[0].vulnerability.id: expected a string (got nothing)' },
    { name: 'a numeric severity', match: { vulnerability: { severity: 3 } }, message: 'matches[0].vulnerability.severity: expected a string (got number 3)' },
    { name: 'no artifact name', match: { artifact: { name: '' } }, message: 'matches[0].artifact.name: expected a string (got an empty string)' },
    { name: 'a CVSS score that is a string', match: { vulnerability: { cvss: [{ version: '3.1', metrics: { baseScore: '9' } }] } }, message: 'matches[0].vulnerability.cvss[0].metrics.baseScore: expected a number (got the string "9")' },
    { name: 'fix versions that are not strings', match: { vulnerability: { fix: { state: 'fixed', versions: [1] } } }, message: 'matches[0].vulnerability.fix.versions[0]: expected a string (got number 1)' },
    { name: 'a related vulnerability without id', match: { relatedVulnerabilities: [{}] }, message: 'matches[0].relatedVulnerabilities[0].id: expected a string (got nothing)' },
  ])('rejects $name, naming the JSON path', ({ match, message }) => {
    expect(problemsOf(() => readReport('g.json', encode(grypeReport(match))))).toEqual([{ file: 'g.json', message }]);
  });

  it('reads ignoredMatches as findings: a .grype.yaml ignore rule waives nothing', () => {
    const doc = grypeReport({});
    doc.ignoredMatches = [
      {
        vulnerability: { id: 'CVE-2', severity: 'Critical', fix: { state: 'fixed', versions: ['3.0'] } },
        artifact: { name: 'zlib', version: '1.2', type: 'apk' },
        relatedVulnerabilities: [{ id: 'GHSA-2' }],
        appliedIgnoreRules: [{ vulnerability: 'CVE-2', reason: 'not reachable' }],
      },
    ];

    const report = readReport('g.json', encode(doc));

    expect(report.vulnerabilities.map((v) => [v.id, v.package, v.severity, v.fixedVersion, v.aliases])).toEqual([
      ['CVE-1', 'openssl', 'high', undefined, []],
      ['CVE-2', 'zlib', 'critical', '3.0', ['GHSA-2']],
    ]);
    expect(report.packages.map((p) => p.name)).toEqual(['openssl', 'zlib']);
  });

  it.each([
    { name: 'ignoredMatches that is not a list', ignored: { a: 1 }, message: 'ignoredMatches: expected an array (got an object)' },
    { name: 'an ignored match without vulnerability id', ignored: [{ vulnerability: {}, artifact: { name: 'zlib' } }], message: 'ignoredMatches[0].vulnerability.id: expected a string (got nothing)' },
  ])('rejects $name, naming the JSON path', ({ ignored, message }) => {
    const doc = grypeReport({});
    doc.ignoredMatches = ignored;
    expect(problemsOf(() => readReport('g.json', encode(doc)))).toEqual([{ file: 'g.json', message }]);
  });
});
