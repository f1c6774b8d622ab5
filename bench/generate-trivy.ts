/**
 * Generates a realistic Trivy JSON (SchemaVersion 2) image report of a given size: the shape of
 * `trivy image --list-all-pkgs --scanners vuln,secret,misconfig,license -f json`, with the fields a
 * real report carries (descriptions, references, CVSS from several sources, data sources, dates),
 * deterministic for a given seed so runs compare.
 */

export interface GenerateOptions {
  vulnerabilities: number;
  packages: number;
  seed?: number;
}

const SEVERITIES = ['CRITICAL', 'HIGH', 'HIGH', 'MEDIUM', 'MEDIUM', 'MEDIUM', 'LOW', 'LOW', 'UNKNOWN'];
const LICENSES = ['MIT', 'Apache-2.0', 'BSD-3-Clause', 'ISC', 'GPL-2.0-only', 'LGPL-2.1-or-later', 'GPL-3.0-or-later', 'AGPL-3.0-only', 'MPL-2.0'];
const WORDS = 'buffer overflow in the parser allows remote attackers to cause a denial of service or possibly execute arbitrary code via a crafted request when handling untrusted input with a specially crafted header value'.split(' ');
const TYPES = [
  { class: 'os-pkgs', type: 'debian', target: 'example.test/acme/api:1.2.3 (debian 12.5)', purl: 'deb/debian' },
  { class: 'lang-pkgs', type: 'node-pkg', target: 'Node.js', purl: 'npm' },
  { class: 'lang-pkgs', type: 'jar', target: 'Java', purl: 'maven/org.example' },
  { class: 'lang-pkgs', type: 'python-pkg', target: 'Python', purl: 'pypi' },
] as const;

function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function generateTrivyReport(options: GenerateOptions): string {
  const random = mulberry32(options.seed ?? 42);
  const pick = <T>(list: readonly T[]): T => list[Math.floor(random() * list.length)]!;
  const sentence = (words: number): string => Array.from({ length: words }, () => pick(WORDS)).join(' ');
  const results = TYPES.map((t) => ({ Target: t.target, Class: t.class, Type: t.type, Packages: [] as unknown[], Vulnerabilities: [] as unknown[] }));

  const packages: { name: string; version: string; group: number }[] = [];
  for (let i = 0; i < options.packages; i++) {
    const group = i % TYPES.length;
    const name = `pkg-${group}-${i.toString(36)}`;
    const version = `${1 + (i % 7)}.${i % 13}.${i % 5}`;
    packages.push({ name, version, group });
    results[group]!.Packages.push({
      ID: `${name}@${version}`,
      Name: name,
      Identifier: { PURL: `pkg:${TYPES[group]!.purl}/${name}@${version}`, UID: (i * 2654435761).toString(16) },
      Version: version,
      Licenses: [pick(LICENSES)],
      Layer: { DiffID: 'sha256:f1b5933fe4b5f49bbe8258745cf396afe07e625bdab3168e364daf7c956b6b81' },
      ...(group === 0 ? {} : { FilePath: `/app/${TYPES[group]!.type}/${name}/package.json` }),
    });
  }

  for (let i = 0; i < options.vulnerabilities; i++) {
    const pkg = packages[i % packages.length]!;
    const severity = pick(SEVERITIES);
    const year = 2015 + (i % 10);
    const id = `CVE-${year}-${10000 + i}`;
    const hasFix = random() < 0.6;
    const score = Math.round((1 + random() * 9) * 10) / 10;
    const hasV3 = random() < 0.85;
    results[pkg.group]!.Vulnerabilities.push({
      VulnerabilityID: id,
      VendorIDs: random() < 0.2 ? [`GHSA-${i.toString(36)}-xxxx-yyyy`] : undefined,
      PkgID: `${pkg.name}@${pkg.version}`,
      PkgName: pkg.name,
      PkgIdentifier: { PURL: `pkg:${TYPES[pkg.group]!.purl}/${pkg.name}@${pkg.version}` },
      InstalledVersion: pkg.version,
      FixedVersion: hasFix ? `${pkg.version}-1` : '',
      Status: hasFix ? 'fixed' : 'affected',
      SeveritySource: 'nvd',
      PrimaryURL: `https://avd.aquasec.com/nvd/${id.toLowerCase()}`,
      DataSource: { ID: 'debian', Name: 'Debian Security Tracker', URL: 'https://salsa.debian.org/security-tracker-team/security-tracker' },
      Title: `${pkg.name}: ${sentence(4)}`,
      Description: sentence(10),
      Severity: severity,
      CweIDs: [`CWE-${100 + (i % 700)}`],
      VendorSeverity: { nvd: 1 + (i % 4), redhat: 1 + ((i + 1) % 4) },
      CVSS: {
        nvd: hasV3
          ? { V2Vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', V3Vector: 'CVSS:3.1/AV:N/AC:L/PR:N/UI:N/S:U/C:H/I:H/A:H', V2Score: Math.max(0, score - 1), V3Score: score }
          : { V2Vector: 'AV:N/AC:L/Au:N/C:P/I:P/A:P', V2Score: score },
        ...(i % 3 === 0 ? { redhat: { V3Vector: 'CVSS:3.1/AV:N/AC:H/PR:N/UI:N/S:U/C:H/I:N/A:N', V3Score: Math.max(0, score - 0.5) } } : {}),
      },
      References: i % 2 === 0 ? [`https://nvd.nist.gov/vuln/detail/${id}`] : [`https://security-tracker.debian.org/tracker/${id}`, `https://nvd.nist.gov/vuln/detail/${id}`],
      PublishedDate: `${year}-03-0${1 + (i % 9)}T15:15:00Z`,
      LastModifiedDate: `${year + 1}-11-0${1 + (i % 9)}T12:00:00Z`,
    });
  }

  const report = {
    SchemaVersion: 2,
    CreatedAt: '2026-11-26T00:00:00Z',
    ArtifactName: 'example.test/acme/api:1.2.3',
    ArtifactType: 'container_image',
    Metadata: {
      Size: 312_000_000,
      OS: { Family: 'debian', Name: '12.5' },
      ImageID: 'sha256:0000000000000000000000000000000000000000000000000000000000000001',
      DiffIDs: ['sha256:f1b5933fe4b5f49bbe8258745cf396afe07e625bdab3168e364daf7c956b6b81'],
      RepoTags: ['example.test/acme/api:1.2.3'],
      RepoDigests: ['example.test/acme/api@sha256:0000000000000000000000000000000000000000000000000000000000000002'],
      ImageConfig: {
        architecture: 'amd64',
        os: 'linux',
        config: { User: 'app', Labels: { 'org.opencontainers.image.base.name': 'docker.io/library/debian:12', tier: 'prod' } },
      },
    },
    Results: [
      ...results,
      {
        Target: '/app/config/.env',
        Class: 'secret',
        Secrets: [{ RuleID: 'aws-access-key-id', Category: 'AWS', Severity: 'CRITICAL', Title: 'AWS Access Key ID', StartLine: 3, EndLine: 3, Match: 'AWS_ACCESS_KEY_ID=********************' }],
      },
    ],
  };
  return JSON.stringify(report, null, 2);
}
