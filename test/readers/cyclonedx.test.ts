import { describe, expect, it } from 'vitest';
import { readReport } from '../../src/readers/index.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { problemsOf } from '../helpers/input-error.ts';

const encode = (value: unknown): Uint8Array => new TextEncoder().encode(typeof value === 'string' ? value : JSON.stringify(value));

function bom(vulnerability: Record<string, unknown>, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    bomFormat: 'CycloneDX',
    specVersion: '1.6',
    metadata: { tools: { components: [{ name: 'scanner', version: '1' }] }, component: { type: 'container', name: 'ghcr.io/acme/api:1', version: 'sha256:manifest' } },
    components: [{ 'bom-ref': 'pkg:npm/lodash@4.17.20', type: 'library', name: 'lodash', version: '4.17.20', purl: 'pkg:npm/lodash@4.17.20', licenses: [{ license: { id: 'MIT' } }] }],
    vulnerabilities: [{ id: 'CVE-2021-23337', affects: [{ ref: 'pkg:npm/lodash@4.17.20' }], ...vulnerability }],
    ...extra,
  };
}

describe('src/readers/cyclonedx', () => {
  it("reads Trivy's CycloneDX: image ID property, OS component, highest rating, CVSS by method, fix from the recommendation", () => {
    const report = readReport('t.cdx.json', readFixture('scans/trivy/cyclonedx/fluentd-multiple-lockfiles-short.cdx.json'));

    expect(report.image).toEqual({ imageId: 'sha256:5a992077baba51b97f27591a10d54d2f2723dc9c81a3fe419e261023f2554933', repoTags: [], repoDigests: [] });
    expect(report.os).toEqual({ family: 'debian', name: '10.2', eol: false });
    expect(report.vulnerabilities[0]).toEqual({
      id: 'CVE-2019-18224',
      aliases: [],
      package: 'libidn2-0',
      packageType: 'deb',
      published: '2019-10-21T17:15:00.000Z',
      installedVersion: '2.0.5-1',
      fixedVersion: '2.0.5-1+deb10u1',
      purl: 'pkg:deb/debian/libidn2-0@2.0.5-1?distro=debian-10.2',
      severity: 'critical',
      url: 'https://salsa.debian.org/security-tracker-team/security-tracker',
      cvss: [
        { version: '2.0', score: 7.5, source: 'nvd', vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P' },
        { version: '3.1', score: 9.8, source: 'nvd', vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H' },
        { version: '3.0', score: 5.6, source: 'redhat', vector: 'CVSS:3.0/AV:N/AC:H/PR:N/UI:N/S:U/C:L/I:L/A:L' },
      ],
    });
  });

  it("takes Trivy's severity as Trivy's JSON gives it: the data source's vendor, else NVD's v3, never simply the highest rating", () => {
    const cdx = readReport('t.cdx.json', readFixture('scans/trivy/cyclonedx/fluentd-multiple-lockfiles-short.cdx.json'));
    const json = readReport('t.json', readFixture('scans/trivy/fluentd-gems.json'));

    const severities = (vulnerabilities: readonly { id: string; package: string; severity: string }[]) =>
      new Map(vulnerabilities.map((v) => [`${v.id} ${v.package}`, v.severity]));
    const fromJson = severities(json.vulnerabilities);

    // debian has no rating for CVE-2019-18224: NVD's v3 (critical); CVE-2019-18276: debian's own (low); CVE-2020-8165: ghsa's (high).
    expect([...severities(cdx.vulnerabilities)]).toEqual([
      ['CVE-2019-18224 libidn2-0', 'critical'],
      ['CVE-2019-18276 bash', 'low'],
      ['CVE-2020-8165 activesupport', 'high'],
    ]);
    for (const [key, severity] of severities(cdx.vulnerabilities)) if (fromJson.has(key)) expect(fromJson.get(key)).toBe(severity);
  });

  it.each([
    { name: 'the data source has no rating and there is no NVD rating', ratings: [{ source: { name: 'redhat' }, severity: 'medium' }, { source: { name: 'ubuntu' }, severity: 'high' }], severity: 'high' },
    { name: 'NVD gives only v2', ratings: [{ source: { name: 'nvd' }, severity: 'high', method: 'CVSSv2', score: 7.5 }], severity: 'high' },
    { name: "NVD's v3 beats its v2", ratings: [{ source: { name: 'nvd' }, severity: 'high', method: 'CVSSv2', score: 7.5 }, { source: { name: 'nvd' }, severity: 'medium', method: 'CVSSv31', score: 6.5 }], severity: 'medium' },
    { name: "the data source's own rating", ratings: [{ source: { name: 'alpine' }, severity: 'low' }, { source: { name: 'nvd' }, severity: 'critical', method: 'CVSSv31', score: 9.8 }], severity: 'low' },
  ])("Trivy's CycloneDX severity when $name", ({ ratings, severity }) => {
    const doc = bom({ id: 'CVE-2024-1', source: { name: 'alpine' }, ratings, affects: [{ ref: 'pkg:apk/alpine/musl@1.2.3' }] });
    doc['metadata'] = { tools: { components: [{ name: 'trivy', version: '0.50.0' }] }, component: { type: 'container', name: 'ghcr.io/acme/api:1' } };

    expect(readReport('t.cdx.json', encode(doc)).vulnerabilities[0]?.severity).toBe(severity);
  });

  it("reads Grype's CycloneDX: container name and digest, syft package type, licenses", () => {
    const report = readReport('g.cdx.json', readFixture('scans/grype/cyclonedx/TestCycloneDxPresenterImage.json'));

    expect(report.image).toEqual({ name: 'user-input', digest: 'sha256:ca738abb87a8d58f112d3400ebb079b61ceae7dc290beb34bda735be4b1941d5', repoTags: [], repoDigests: [] });
    expect(report.packages).toContainEqual({ name: 'package-2', version: '2.2.2', type: 'deb', licenses: ['Apache-2.0', 'MIT'], purl: 'pkg:deb/package-2@2.2.2' });
    expect(report.vulnerabilities[0]).toMatchObject({ id: 'CVE-1999-0001', package: 'package-1', packageType: 'rpm', severity: 'low' });
    expect(report.vulnerabilities[0]!.fixedVersion).toBeUndefined();
  });

  it('reads the XML vulnerability extension (grype 0.7)', () => {
    const report = readReport('g.xml', readFixture('scans/grype/cyclonedx/grype.xml'));

    expect(report.format).toBe('cyclonedx-xml');
    expect(report.tool).toBe('grype');
    expect(report.image?.digest).toBe('sha256:91bc0f1478c6d26e04da5c2a59ac20262ec2661942418e2a3e7c77245d872658');
    expect(report.vulnerabilities).toContainEqual({
      id: 'CVE-2011-3374',
      aliases: [],
      package: 'apt',
      packageType: 'library',
      installedVersion: '1.8.2.1',
      severity: 'low',
      url: 'http://cve.mitre.org/cgi-bin/cvename.cgi?name=CVE-2011-3374',
      cvss: [{ version: '2.0', score: 4.3, source: 'unknown', vector: 'AV:N/AC:M/Au:N/C:N/I:P/A:N' }],
    });
  });

  it('reads CycloneDX 1.4+ XML vulnerabilities with affects and an unaffected version', () => {
    const xml = `<?xml version="1.0"?>
<bom xmlns="http://cyclonedx.org/schema/bom/1.5">
  <metadata><component type="container"><name>alpine:3.19</name></component></metadata>
  <components><component type="library" bom-ref="c1"><name>openssl</name><version>3.1</version></component></components>
  <vulnerabilities>
    <vulnerability bom-ref="v1">
      <id>CVE-2024-1</id>
      <ratings><rating><score>7.5</score><severity>high</severity><method>CVSSv31</method></rating></ratings>
      <analysis><state>exploitable</state></analysis>
      <affects><target><ref>c1</ref><versions><version><version>3.2</version><status>unaffected</status></version></versions></target></affects>
    </vulnerability>
  </vulnerabilities>
</bom>`;

    const report = readReport('b.xml', encode(xml));

    expect(report.image?.name).toBe('alpine:3.19');
    expect(report.vulnerabilities).toEqual([
      { id: 'CVE-2024-1', aliases: [], package: 'openssl', packageType: 'library', installedVersion: '3.1', fixedVersion: '3.2', severity: 'high', status: 'exploitable', cvss: [{ version: '3.1', score: 7.5, source: 'unknown' }] },
    ]);
  });

  it('takes a fix only from an unaffected version, references as aliases, the analysis state as status', () => {
    const report = readReport(
      'b.json',
      encode(
        bom({
          references: [{ id: 'GHSA-35jh-r3h4-6jhm', source: { name: 'GitHub' } }],
          ratings: [{ severity: 'medium' }, { severity: 'high', score: 7.2, method: 'CVSSv31', source: { name: 'nvd' } }],
          analysis: { state: 'in_triage' },
          affects: [{ ref: 'pkg:npm/lodash@4.17.20', versions: [{ version: '4.17.20', status: 'affected' }, { version: '4.17.21', status: 'unaffected' }] }],
        }),
      ),
    );

    expect(report.vulnerabilities).toEqual([
      { id: 'CVE-2021-23337', aliases: ['GHSA-35jh-r3h4-6jhm'], package: 'lodash', packageType: 'npm', installedVersion: '4.17.20', fixedVersion: '4.17.21', purl: 'pkg:npm/lodash@4.17.20', severity: 'high', status: 'in_triage', cvss: [{ version: '3.1', score: 7.2, source: 'nvd' }] },
    ]);
    expect(report.image).toEqual({ name: 'ghcr.io/acme/api:1', digest: 'sha256:manifest', repoTags: [], repoDigests: [] });
  });

  it('makes one vulnerability per affected component', () => {
    const doc = bom({ affects: [{ ref: 'pkg:npm/lodash@4.17.20' }, { ref: 'pkg:npm/lodash@4.17.19' }] });

    const report = readReport('b.json', encode(doc));

    expect(report.vulnerabilities.map((v) => `${v.package}@${v.installedVersion}`)).toEqual(['lodash@4.17.20', 'lodash@4.17.19']);
  });

  it.each([
    { name: 'an SBOM without vulnerabilities', doc: { ...bom({}), vulnerabilities: undefined }, message: 'vulnerabilities: expected an array: a CycloneDX BOM without vulnerabilities is an SBOM, not a scan report' },
    { name: 'a vulnerability without id', doc: bom({ id: undefined }), message: 'vulnerabilities[0].id: expected a non-empty string (got nothing)' },
    { name: 'a rating score that is a string', doc: bom({ ratings: [{ score: '9.8', method: 'CVSSv31' }] }), message: 'vulnerabilities[0].ratings[0].score: expected a number (got the string "9.8")' },
    { name: 'an unknown affected ref', doc: bom({ affects: [{ ref: 'nope' }] }), message: 'vulnerabilities[0].affects[0].ref: expected the bom-ref of a component in this document (got the string "nope")' },
    { name: 'no affected component', doc: bom({ affects: [] }), message: 'vulnerabilities[0].affects: expected at least one affected component' },
  ])('rejects $name', ({ doc, message }) => {
    expect(problemsOf(() => readReport('b.json', encode(doc)))).toEqual([{ file: 'b.json', message }]);
  });
});
