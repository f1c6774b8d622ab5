import { describe, expect, it } from 'vitest';
import { groupReports } from '../../src/bundles/group-reports.ts';
import { InputError } from '../../src/errors.ts';
import type { ImageIdentity, Report } from '../../src/model/report.ts';
import { emptyFindings } from '../../src/readers/fields.ts';
import { readReport } from '../../src/readers/index.ts';
import { buildCheck, buildCvss, buildVulnerability } from '../helpers/build-bundle.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { problemsOf } from '../helpers/input-error.ts';

/** A real fixture, read as if it were at `path` inside an artifact. */
function fixtureAt(path: string, fixture: string): Report {
  return readReport(path, readFixture(fixture));
}

function buildReport(path: string, image: Partial<ImageIdentity> | undefined, overrides: Partial<Report> = {}): Report {
  return {
    path,
    format: 'trivy-json',
    tool: 'trivy',
    ...(image === undefined ? {} : { image: { repoTags: [], repoDigests: [], ...image } }),
    ...emptyFindings(),
    ...overrides,
  };
}

describe('src/bundles/group-reports', () => {
  it('puts a Dockle report in the bundle of the Trivy report in its folder', () => {
    const trivy = fixtureAt('image-scan/trivy.json', 'scans/trivy/juice-shop-v10.2.0.json');
    const dockle = fixtureAt('image-scan/dockle.json', 'scans/dockle/many_findings.json');

    const bundles = groupReports([trivy, dockle]);

    expect(bundles).toHaveLength(1);
    const bundle = bundles[0]!;
    expect(bundle.key).toBe('sha256:b1802758946aa40549b98ee6b8f93e9b92d0a6bf7aed139284893466be9c5065');
    expect(bundle.image).toEqual({
      ref: 'docker.io/bkimminich/juice-shop:v10.2.0',
      registry: 'docker.io',
      repository: 'bkimminich/juice-shop',
      tag: 'v10.2.0',
      digest: 'sha256:b1802758946aa40549b98ee6b8f93e9b92d0a6bf7aed139284893466be9c5065',
    });
    expect(bundle.imageId).toBe('sha256:21ef0dc04325e8ee21e385dc672460ed6b5c058cef1fedb84086ed5fca3f91cd');
    expect(bundle.reports).toEqual([
      { path: 'image-scan/trivy.json', format: 'trivy-json', tool: 'trivy' },
      { path: 'image-scan/dockle.json', format: 'dockle-json', tool: 'dockle' },
    ]);
    expect(bundle.vulnerabilities).toHaveLength(236);
    expect(bundle.checks.map((check) => check.id)).toEqual(['CIS-DI-0001', 'CIS-DI-0005', 'CIS-DI-0008', 'CIS-DI-0006']);
    expect(bundle.secrets).toHaveLength(1);
    expect(bundle.config?.user).toBe('juicer');
    expect(bundle.os).toEqual({ family: 'alpine', name: '3.11.5', eol: true });
  });

  it('groups a CycloneDX report named only by image ID with the Trivy JSON report of that image', () => {
    const json = fixtureAt('a/fluentd.json', 'scans/trivy/fluentd-gems.json');
    const cdx = fixtureAt('b/fluentd.cdx.json', 'scans/trivy/cyclonedx/fluentd-multiple-lockfiles-short.cdx.json');

    const bundles = groupReports([json, cdx]);

    expect(bundles.map((bundle) => [bundle.key, bundle.reports.length])).toEqual([['ghcr.io/aquasecurity/trivy-test-images:fluentd-multiple-lockfiles', 2]]);
  });

  it('merges the Grype JSON and CycloneDX XML reports of one image by digest, one finding per vulnerability and package', () => {
    const json = fixtureAt('scan/grype.json', 'scans/grype/many_vulns3.json');
    const xml = fixtureAt('scan/grype.xml', 'scans/grype/cyclonedx/grype.xml');

    const [bundle, ...rest] = groupReports([json, xml]);

    expect(rest).toEqual([]);
    expect(bundle!.key).toBe('sha256:91bc0f1478c6d26e04da5c2a59ac20262ec2661942418e2a3e7c77245d872658');
    expect(json.vulnerabilities).toHaveLength(327);
    expect(xml.vulnerabilities).toHaveLength(327);
    expect(bundle!.vulnerabilities).toHaveLength(327);
    const apt = bundle!.vulnerabilities.find((v) => v.id === 'CVE-2011-3374' && v.package === 'apt')!;
    expect(apt.severity).toBe('low');
  });

  it('merges a duplicate vulnerability across reports: aliases, CVSS scores, the fix and the higher severity', () => {
    const trivy = buildReport('s/trivy.json', { name: 'ghcr.io/acme/api:1', digest: 'sha256:a' }, {
      vulnerabilities: [buildVulnerability({ id: 'CVE-2024-1', aliases: ['DSA-1'], severity: 'medium', cvss: [buildCvss(5.3)] })],
    });
    const grype = buildReport('s/grype.json', { name: 'ghcr.io/acme/api@sha256:a', digest: 'sha256:a' }, {
      format: 'grype-json',
      tool: 'grype',
      vulnerabilities: [
        buildVulnerability({ id: 'GHSA-x', aliases: ['CVE-2024-1'], severity: 'high', fixedVersion: '1.0.1', cvss: [buildCvss(5.3), buildCvss(7.5, '3.1', 'ghsa')] }),
        buildVulnerability({ id: 'CVE-2024-1', installedVersion: '2.0.0', severity: 'low' }),
      ],
    });

    const [bundle] = groupReports([trivy, grype]);

    expect(bundle!.vulnerabilities).toEqual([
      buildVulnerability({ id: 'CVE-2024-1', aliases: ['DSA-1', 'GHSA-x'], severity: 'high', fixedVersion: '1.0.1', cvss: [buildCvss(5.3), buildCvss(7.5, '3.1', 'ghsa')] }),
      buildVulnerability({ id: 'CVE-2024-1', installedVersion: '2.0.0', severity: 'low' }),
    ]);
    expect(trivy.vulnerabilities[0]!.aliases).toEqual(['DSA-1']);
  });

  it('merges a GHSA and the CVE it names for one package within one Grype report: one finding, with the fix', () => {
    const report = fixtureAt('scan/grype.json', 'scans/grype/chainguard-ruby-test.json');

    const [bundle] = groupReports([report]);

    const uri = bundle!.vulnerabilities.filter((v) => v.package === 'uri');
    expect(report.vulnerabilities.filter((v) => v.package === 'uri')).toHaveLength(2);
    expect(uri).toHaveLength(1);
    expect(uri[0]).toMatchObject({ id: 'CVE-2023-28755', aliases: ['GHSA-hv5j-3h9f-99c2'], installedVersion: '0.10.1', severity: 'high', fixedVersion: '0.10.2' });
    expect(bundle!.vulnerabilities.filter((v) => v.package === 'ruby-3.0')).toHaveLength(1);
    expect(report.vulnerabilities.find((v) => v.package === 'uri')!.aliases).toEqual([]);
  });

  it('never merges two vulnerabilities that only share an advisory (one RHSA fixes several CVEs), within or across reports', () => {
    const a = buildVulnerability({ id: 'CVE-2024-1', aliases: ['RHSA-2024:0001'], severity: 'low' });
    const b = buildVulnerability({ id: 'CVE-2024-2', aliases: ['RHSA-2024:0001'], severity: 'critical' });
    const one = buildReport('s/trivy.json', { name: 'ghcr.io/acme/api:1', digest: 'sha256:a' }, { vulnerabilities: [a, b] });
    const first = buildReport('t/trivy.json', { name: 'ghcr.io/acme/api:1', digest: 'sha256:a' }, { vulnerabilities: [a] });
    const second = buildReport('t/other.json', { digest: 'sha256:a' }, { format: 'cyclonedx-json', vulnerabilities: [b] });

    const [within] = groupReports([one]);
    const [across] = groupReports([first, second]);

    expect(within!.vulnerabilities.map((v) => [v.id, v.severity])).toEqual([['CVE-2024-1', 'low'], ['CVE-2024-2', 'critical']]);
    expect(across!.vulnerabilities.map((v) => [v.id, v.severity])).toEqual([['CVE-2024-1', 'low'], ['CVE-2024-2', 'critical']]);
  });

  it("merges Trivy's Maven groupId:artifactId with Grype's artifactId for the same vulnerability and version", () => {
    const trivy = buildReport('s/trivy.json', { name: 'ghcr.io/acme/api:1', digest: 'sha256:a' }, {
      vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', package: 'org.apache.logging.log4j:log4j-core', packageType: 'jar', installedVersion: '2.14.1', severity: 'critical' })],
    });
    const grype = buildReport('s/grype.json', { digest: 'sha256:a' }, {
      format: 'grype-json',
      tool: 'grype',
      vulnerabilities: [buildVulnerability({ id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'], package: 'log4j-core', packageType: 'java-archive', installedVersion: '2.14.1', severity: 'critical', fixedVersion: '2.15.0' })],
    });

    const [bundle] = groupReports([trivy, grype]);

    expect(bundle!.vulnerabilities).toHaveLength(1);
    expect(bundle!.vulnerabilities[0]).toMatchObject({ id: 'CVE-2021-44228', package: 'org.apache.logging.log4j:log4j-core', aliases: ['GHSA-jfh8-c2jp-5v3q'], fixedVersion: '2.15.0' });
  });

  it('keeps the findings of one report as they are, duplicates included', () => {
    const vulnerability = buildVulnerability({ path: 'a/package.json' });
    const report = buildReport('r.json', { name: 'alpine:3.19' }, { vulnerabilities: [vulnerability, { ...vulnerability, path: 'b/package.json' }] });

    const [bundle] = groupReports([report]);

    expect(bundle!.vulnerabilities).toHaveLength(2);
  });

  it.each([
    {
      name: 'the same tag with different digests is two images',
      images: [{ name: 'acme/api:1', digest: 'sha256:amd64' }, { name: 'acme/api:1', digest: 'sha256:arm64' }],
      keys: ['sha256:amd64', 'sha256:arm64'],
    },
    {
      name: 'the same image ID is one image, whatever the digests',
      images: [{ name: 'acme/api:1', digest: 'sha256:index', imageId: 'sha256:id' }, { imageId: 'sha256:id', digest: 'sha256:manifest' }],
      keys: ['sha256:index'],
    },
    {
      name: 'the same normalized name:tag is one image',
      images: [{ name: 'alpine:3.19' }, { name: 'docker.io/library/alpine:3.19', digest: 'sha256:d' }],
      keys: ['sha256:d'],
    },
    {
      name: 'a shared RepoDigest is one image',
      images: [{ name: 'acme/api:1', repoDigests: ['acme/api@sha256:d'] }, { name: 'acme/api:latest', digest: 'sha256:d' }],
      keys: ['sha256:d'],
    },
    {
      name: 'different tags without digests are two images, keyed by ref',
      images: [{ name: 'alpine:3.19' }, { name: 'alpine:3.20' }],
      keys: ['docker.io/library/alpine:3.19', 'docker.io/library/alpine:3.20'],
    },
    {
      name: 'two reports joined only through a third are one image',
      images: [{ name: 'acme/api:1' }, { imageId: 'sha256:id' }, { name: 'acme/api:1', imageId: 'sha256:id' }],
      keys: ['docker.io/acme/api:1'],
    },
  ])('$name', ({ images, keys }) => {
    const reports = images.map((image, i) => buildReport(`r${i}.json`, image));

    expect(groupReports(reports).map((bundle) => bundle.key)).toEqual(keys);
  });

  it('takes the config from the first report carrying one, and the base image from its label', () => {
    const first = buildReport('a.json', { name: 'acme/api:1' });
    const second = buildReport('b.json', { name: 'acme/api:1' }, { config: { user: 'app', labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' } } });
    const third = buildReport('c.json', { name: 'acme/api:1' }, { config: { user: '', labels: {} } });

    const [bundle] = groupReports([first, second, third]);

    expect(bundle!.config).toEqual({ user: 'app', labels: { 'org.opencontainers.image.base.name': 'docker.io/library/alpine:3.19' } });
    expect(bundle!.baseImage).toEqual({ name: 'docker.io/library/alpine:3.19', source: 'label' });
  });

  it('leaves config and base image unset when no report carries them', () => {
    const [bundle] = groupReports([buildReport('a.json', { name: 'acme/api:1' })]);

    expect(bundle!.config).toBeUndefined();
    expect(bundle!.baseImage).toBeUndefined();
  });

  it('fails naming a report whose folder names no image', () => {
    const trivy = buildReport('one/trivy.json', { name: 'acme/api:1' });
    const dockle = fixtureAt('two/dockle.json', 'scans/dockle/many_findings.json');

    expect(problemsOf(() => groupReports([trivy, dockle]))).toEqual([
      { file: 'two/dockle.json', message: "this dockle report names no image, and no other report in the folder two names one: put it beside the image's scan report, or pass --image" },
    ]);
  });

  it('fails naming a report whose folder names two images', () => {
    const api = buildReport('scan/api.json', { name: 'acme/api:1' });
    const web = buildReport('scan/web.json', { name: 'acme/web:1' });
    const clam = buildReport('scan/clamscan.log', undefined, { format: 'clamav-log', tool: 'clamav' });

    expect(problemsOf(() => groupReports([api, web, clam]))).toEqual([
      {
        file: 'scan/clamscan.log',
        message:
          'this clamav report names no image, and the reports in the folder scan name 2 images (docker.io/acme/api:1, docker.io/acme/web:1): cannot tell which one it is about; keep one image per folder, or pass --image',
      },
    ]);
  });

  it('fails for an unnamed report alone at the top level', () => {
    const clam = buildReport('clamscan.log', undefined, { format: 'clamav-log', tool: 'clamav' });

    expect(() => groupReports([clam])).toThrow(InputError);
  });

  it('puts unnamed reports in the --image image, joining the reports that name it', () => {
    const api = buildReport('x/api.json', { name: 'acme/api:1', digest: 'sha256:a' });
    const dockle = buildReport('y/dockle.json', undefined, { format: 'dockle-json', tool: 'dockle', checks: [buildCheck({ id: 'CIS-DI-0001', tool: 'dockle' })] });

    const bundles = groupReports([api, dockle], { image: 'docker.io/acme/api:1' });

    expect(bundles).toHaveLength(1);
    expect(bundles[0]!.checks.map((check) => check.id)).toEqual(['CIS-DI-0001']);
  });

  it('makes a bundle for --image when no report names it', () => {
    const oval = fixtureAt('oval/arf.xml', 'scans/openscap/arf_simple_rule_fail.xml');

    const bundles = groupReports([oval], { image: 'ghcr.io/acme/api:2' });

    expect(bundles.map((bundle) => ({ key: bundle.key, image: bundle.image, oval: bundle.oval.length, checks: bundle.checks.length }))).toEqual([
      { key: 'ghcr.io/acme/api:2', image: { ref: 'ghcr.io/acme/api:2', registry: 'ghcr.io', repository: 'acme/api', tag: '2' }, oval: 1, checks: 1 },
    ]);
  });

  it('names every report by --image when they all describe one image', () => {
    const trivy = buildReport('scan/trivy.json', { name: 'localhost:5000/api:ci', digest: 'sha256:a' });
    const dockle = buildReport('scan/dockle.json', undefined, { format: 'dockle-json', tool: 'dockle' });

    const [bundle, ...rest] = groupReports([trivy, dockle], { image: 'ghcr.io/acme/api:1.2.3' });

    expect(rest).toEqual([]);
    expect(bundle!.image).toEqual({ ref: 'ghcr.io/acme/api:1.2.3', registry: 'ghcr.io', repository: 'acme/api', tag: '1.2.3', digest: 'sha256:a' });
    expect(bundle!.reports.map((report) => report.path)).toEqual(['scan/trivy.json', 'scan/dockle.json']);
  });

  it('refuses --image when the reports name several images, naming them', () => {
    const api = buildReport('api.json', { name: 'acme/api:1' });
    const web = buildReport('web.json', { name: 'acme/web:1' });

    expect(problemsOf(() => groupReports([api, web], { image: 'acme/api:1' }))).toEqual([
      {
        file: 'command line',
        message: '--image acme/api:1 names one image, but the reports name 2 (docker.io/acme/api:1, docker.io/acme/web:1): pass the reports of one image, or drop --image',
      },
    ]);
  });

  it('refuses --image with a digest the reports contradict', () => {
    const api = buildReport('api.json', { name: 'acme/api:1', digest: 'sha256:a' });

    expect(problemsOf(() => groupReports([api], { image: 'acme/api:1@sha256:b' }))[0]!.message).toMatch(/names digest sha256:b, but the reports are about sha256:a/);
  });

  it('lists bundles in the order their images first appear, and each package once', () => {
    const reports = [
      buildReport('1.json', { name: 'b:1' }, { packages: [{ name: 'musl', version: '1', type: 'apk', licenses: ['MIT'] }] }),
      buildReport('2.json', { name: 'a:1' }),
      buildReport('3.json', { name: 'b:1' }, { packages: [{ name: 'musl', version: '1', type: 'binary', licenses: ['MIT', 'BSD'] }] }),
    ];

    const bundles = groupReports(reports);

    expect(bundles.map((bundle) => bundle.key)).toEqual(['docker.io/library/b:1', 'docker.io/library/a:1']);
    expect(bundles[0]!.packages).toEqual([{ name: 'musl', version: '1', type: 'apk', licenses: ['MIT', 'BSD'] }]);
  });

  it('returns no bundles for no reports', () => {
    expect(groupReports([])).toEqual([]);
  });
});
