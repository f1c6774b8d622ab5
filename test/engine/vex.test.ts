import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Bundle } from '../../src/model/bundle.ts';
import type { ImageVerdict } from '../../src/model/verdict.ts';
import { readVexDocument } from '../../src/vex/index.ts';
import type { VexDocument } from '../../src/vex/schema.ts';
import { buildBundle, buildException, buildPackage, buildPolicy, buildPolicySet, buildVulnerability } from '../helpers/build-bundle.ts';
import { readFixture } from '../helpers/fixtures.ts';

const NOW = new Date('2026-12-01T00:00:00Z');
const DIGEST = 'sha256:347a0d748d05a050dc64b92de2246d2240db6eb38afbc17c3c08d0acb0db1b50';

const musl = buildVulnerability({ id: 'CVE-2019-14697', package: 'musl', installedVersion: '1.1.20-r4', severity: 'critical', purl: 'pkg:apk/alpine/musl@1.1.20-r4?arch=x86_64&distro=3.9.4' });

function openVex(statements: Record<string, unknown>[]): VexDocument {
  return readVexDocument('vex/app.openvex.json', JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'x', author: 'test', timestamp: '2026-11-01T00:00:00Z', version: 1, statements }));
}

function notAffected(products: unknown[], overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { vulnerability: { name: 'CVE-2019-14697' }, products, status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...overrides };
}

function judge(bundle: Bundle, vex: VexDocument[], maxAgeDays?: number): ImageVerdict {
  const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [], maxAgeDays === undefined ? {} : { vex_max_age_days: maxAgeDays });
  return evaluate([bundle], policySet, { now: NOW, vex }).images[0]!;
}

function outcome(image: ImageVerdict): 'suppressed' | 'violation' {
  const policy = image.policies[0]!;
  if (policy.suppressed.length === 1 && policy.violations.length === 0) return 'suppressed';
  if (policy.violations.length === 1 && policy.suppressed.length === 0) return 'violation';
  throw new Error(`unexpected verdict: ${JSON.stringify(policy)}`);
}

const image = 'ghcr.io/aquasecurity/trivy-test-images:alpine-39';

describe('src/engine/vex', () => {
  it.each([
    { name: 'the image by repository_url, narrowed to the package', product: { '@id': 'pkg:oci/trivy-test-images?repository_url=ghcr.io/aquasecurity/trivy-test-images', subcomponents: [{ '@id': 'pkg:apk/alpine/musl' }] }, expected: 'suppressed' },
    { name: 'the image by a repository_url with a scheme', product: { '@id': 'pkg:oci/trivy-test-images?repository_url=https%3A%2F%2Fghcr.io%2Faquasecurity%2Ftrivy-test-images' }, expected: 'suppressed' },
    { name: 'the image, another package as subcomponent', product: { '@id': 'pkg:oci/trivy-test-images?repository_url=ghcr.io/aquasecurity/trivy-test-images', subcomponents: [{ '@id': 'pkg:apk/alpine/busybox' }] }, expected: 'violation' },
    { name: 'another repository', product: { '@id': 'pkg:oci/trivy-test-images?repository_url=docker.io/aquasecurity/trivy-test-images' }, expected: 'violation' },
    { name: 'an image named without repository_url or digest', product: { '@id': 'pkg:oci/trivy-test-images' }, expected: 'violation' },
    { name: 'the package, every version', product: { '@id': 'pkg:apk/alpine/musl' }, expected: 'suppressed' },
    { name: 'the package at its version', product: { '@id': 'pkg:apk/alpine/musl@1.1.20-r4' }, expected: 'suppressed' },
    { name: "another version's PURL", product: { '@id': 'pkg:apk/alpine/musl@1.1.20-r5' }, expected: 'violation' },
    { name: 'a qualifier the finding has', product: { '@id': 'pkg:apk/alpine/musl?arch=x86_64' }, expected: 'suppressed' },
    { name: 'a qualifier the finding does not have', product: { '@id': 'pkg:apk/alpine/musl?arch=aarch64' }, expected: 'violation' },
    { name: 'a package of another type', product: { '@id': 'pkg:deb/alpine/musl' }, expected: 'violation' },
    { name: 'a package product the image does not contain, narrowed to the package', product: { '@id': 'pkg:golang/github.com/acme/app', subcomponents: [{ '@id': 'pkg:apk/alpine/musl' }] }, expected: 'violation' },
  ])('a not_affected statement for $name: $expected', ({ product, expected }) => {
    const verdict = judge(buildBundle({ image, vulnerabilities: [musl] }), [openVex([notAffected([product])])]);

    expect(outcome(verdict)).toBe(expected);
  });

  it('lists a suppressed finding with the document, the statement, its status, justification and impact statement (JSON verdict)', () => {
    const vex = openVex([notAffected([{ '@id': 'pkg:apk/alpine/musl' }], { impact_statement: 'musl is only linked by a tool we never run' })]);

    const policy = judge(buildBundle({ image, vulnerabilities: [musl] }), [vex]).policies[0]!;

    expect(policy.passed).toBe(true);
    expect(policy.suppressed).toEqual([
      expect.objectContaining({
        rule: 'severity',
        id: 'CVE-2019-14697',
        package: 'musl',
        vex: {
          document: 'vex/app.openvex.json',
          statement: 'statements[0]',
          vulnerability: 'CVE-2019-14697',
          status: 'not_affected',
          justification: 'vulnerable_code_not_in_execute_path',
          impact_statement: 'musl is only linked by a tool we never run',
          timestamp: '2026-11-01T00:00:00.000Z',
        },
      }),
    ]);
    expect(policy.suppressed[0]!.exception).toBeUndefined();
  });

  it.each([
    { name: 'an affected statement after a not_affected one', statuses: ['not_affected', 'affected'], times: ['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'], expected: 'violation' },
    { name: 'a not_affected statement after an affected one', statuses: ['affected', 'not_affected'], times: ['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'], expected: 'suppressed' },
    { name: 'an older affected statement written later in the document', statuses: ['not_affected', 'affected'], times: ['2026-11-01T00:00:00Z', '2026-10-01T00:00:00Z'], expected: 'suppressed' },
    { name: 'an under_investigation statement after a not_affected one', statuses: ['not_affected', 'under_investigation'], times: ['2026-10-01T00:00:00Z', '2026-11-01T00:00:00Z'], expected: 'violation' },
    { name: 'two statements at the same time: the later one in the document', statuses: ['not_affected', 'affected'], times: ['2026-11-01T00:00:00Z', '2026-11-01T00:00:00Z'], expected: 'violation' },
  ])('the latest statement per vulnerability and product wins: $name → $expected', ({ statuses, times, expected }) => {
    const statements = statuses.map((status, i) => ({ vulnerability: { name: 'CVE-2019-14697' }, products: [{ '@id': 'pkg:apk/alpine/musl' }], status, timestamp: times[i], ...(status === 'not_affected' ? { justification: 'component_not_present' } : {}) }));

    expect(outcome(judge(buildBundle({ image, vulnerabilities: [musl] }), [openVex(statements)]))).toBe(expected);
  });

  it('a later affected statement in another document blocks too', () => {
    const earlier = openVex([notAffected([{ '@id': 'pkg:apk/alpine/musl' }], { timestamp: '2026-10-01T00:00:00Z' })]);
    const later = readVexDocument('vex/upstream.json', JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'y', author: 't', timestamp: '2026-11-15T00:00:00Z', version: 1, statements: [{ vulnerability: { name: 'CVE-2019-14697' }, products: [{ '@id': 'pkg:apk/alpine/musl' }], status: 'affected' }] }));

    expect(outcome(judge(buildBundle({ image, vulnerabilities: [musl] }), [earlier, later]))).toBe('violation');
  });

  it.each([
    { name: 'pinned to the image digest', product: { '@id': `pkg:oci/keycloak@${encodeURIComponent(DIGEST)}?repository_url=docker.io/keycloak/keycloak` }, expected: 'suppressed' },
    { name: 'pinned to the image digest, no repository_url', product: { '@id': `pkg:oci/keycloak@${encodeURIComponent(DIGEST)}` }, expected: 'suppressed' },
    { name: 'pinned to another digest', product: { '@id': `pkg:oci/keycloak@${encodeURIComponent('sha256:0000000000000000000000000000000000000000000000000000000000000000')}` }, expected: 'violation' },
    { name: 'the image without a digest', product: { '@id': 'pkg:oci/keycloak?repository_url=docker.io/keycloak/keycloak' }, expected: 'violation' },
    { name: 'a package', product: { '@id': 'pkg:rpm/redhat/openssl' }, expected: 'violation' },
  ])('a fixed statement suppresses only when pinned to the image digest: $name → $expected', ({ product, expected }) => {
    const bundle = buildBundle({ image: `keycloak/keycloak:21.0.2@${DIGEST}`, vulnerabilities: [buildVulnerability({ purl: 'pkg:rpm/redhat/openssl@1.0.0' })] });
    const vex = openVex([{ vulnerability: { name: 'CVE-2024-0001' }, products: [product], status: 'fixed' }]);

    expect(outcome(judge(bundle, [vex]))).toBe(expected);
  });

  it('matches the vulnerability by an alias, either way round', () => {
    const finding = buildVulnerability({ id: 'GHSA-r53h-jv2g-vpx6', aliases: ['CVE-2024-26147'], package: 'helm.sh/helm/v3', purl: 'pkg:golang/helm.sh/helm/v3@v3.14.1' });
    const vex = openVex([{ vulnerability: { name: 'GO-2024-2575', aliases: ['CVE-2024-26147'] }, products: [{ '@id': 'pkg:golang/helm.sh/helm/v3' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path' }]);

    expect(outcome(judge(buildBundle({ vulnerabilities: [finding] }), [vex]))).toBe('suppressed');
  });

  it("Trivy's real VEX for its own image (index.docker.io/aquasec/trivy) suppresses busybox findings of docker.io/aquasec/trivy and ghcr.io/aquasecurity/trivy, not other packages or images", () => {
    const vex = readVexDocument('oci.openvex.json', readFixture('vex/oci.openvex.json'));
    const busybox = buildVulnerability({ id: 'CVE-2023-42363', package: 'busybox', purl: 'pkg:apk/alpine/busybox@1.36.1-r15?arch=x86_64&distro=3.20.0' });
    const musl2 = buildVulnerability({ id: 'CVE-2023-42363', package: 'musl', purl: 'pkg:apk/alpine/musl@1.2.5-r0?arch=x86_64&distro=3.20.0' });

    expect(outcome(judge(buildBundle({ image: 'aquasec/trivy:0.53.0', vulnerabilities: [busybox] }), [vex], 10_000))).toBe('suppressed');
    expect(outcome(judge(buildBundle({ image: 'ghcr.io/aquasecurity/trivy:0.53.0', vulnerabilities: [busybox] }), [vex], 10_000))).toBe('suppressed');
    expect(outcome(judge(buildBundle({ image: 'aquasec/trivy:0.53.0', vulnerabilities: [musl2] }), [vex], 10_000))).toBe('violation');
    expect(outcome(judge(buildBundle({ image: 'acme/trivy:0.53.0', vulnerabilities: [busybox] }), [vex], 10_000))).toBe('violation');
  });

  it("Trivy's real OpenVEX for its binary (a package product) suppresses a subcomponent only in an image that contains the product", () => {
    const vex = readVexDocument('trivy.openvex.json', readFixture('vex/trivy.openvex.json'));
    const helm = buildVulnerability({ id: 'CVE-2024-26147', aliases: ['GHSA-r53h-jv2g-vpx6'], package: 'helm.sh/helm/v3', purl: 'pkg:golang/helm.sh/helm/v3@v3.14.1' });
    const trivyBinary = buildPackage({ name: 'github.com/aquasecurity/trivy', type: 'gobinary', purl: 'pkg:golang/github.com/aquasecurity/trivy@v0.53.0' });

    expect(outcome(judge(buildBundle({ vulnerabilities: [helm], packages: [trivyBinary] }), [vex], 10_000))).toBe('suppressed');
    expect(outcome(judge(buildBundle({ vulnerabilities: [helm] }), [vex], 10_000))).toBe('violation');
  });

  it('a statement older than vex_max_age_days suppresses nothing and the image lists it as stale; a longer age lets it suppress', () => {
    const vex = readVexDocument('csaf.json', readFixture('vex/csaf.json'));
    const finding = buildVulnerability({ id: 'CVE-2024-0001', package: 'github.com/aquasecurity/go-transitive', purl: 'pkg:golang/github.com/aquasecurity/go-transitive@v4.0.0' });
    const bundle = buildBundle({ vulnerabilities: [finding] });

    const stale = judge(bundle, [vex]);
    const fresh = judge(bundle, [vex], 2000);

    expect(outcome(stale)).toBe('violation');
    expect(stale.stale_vex).toEqual([
      { document: 'csaf.json', statement: 'vulnerabilities[0].product_status.known_not_affected[0]', vulnerability: 'CVE-2024-0001', status: 'not_affected', impact_statement: 'vulnerable_code_not_in_execute_path', timestamp: '2022-03-03T11:00:00.000Z', age_days: 1733 },
    ]);
    expect(outcome(fresh)).toBe('suppressed');
    expect(fresh.stale_vex).toBeUndefined();
  });

  it('an undated statement never suppresses and is listed as stale without an age', () => {
    const vex = readVexDocument('vex.cdx.json', JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', vulnerabilities: [{ id: 'CVE-2019-14697', analysis: { state: 'not_affected', justification: 'code_not_reachable' }, affects: [{ ref: 'pkg:apk/alpine/musl' }] }] }));

    const verdict = judge(buildBundle({ image, vulnerabilities: [musl] }), [vex]);

    expect(outcome(verdict)).toBe('violation');
    expect(verdict.stale_vex).toEqual([{ document: 'vex.cdx.json', statement: 'vulnerabilities[0]', vulnerability: 'CVE-2019-14697', status: 'not_affected', justification: 'code_not_reachable' }]);
  });

  it('a finding reported once per ID and package stays when only one of its versions is not affected', () => {
    const other = { ...musl, installedVersion: '1.1.24-r0', purl: 'pkg:apk/alpine/musl@1.1.24-r0?arch=x86_64&distro=3.9.4', path: 'other' };
    const vex = openVex([notAffected([{ '@id': 'pkg:apk/alpine/musl@1.1.20-r4' }])]);

    expect(outcome(judge(buildBundle({ image, vulnerabilities: [musl, other] }), [vex]))).toBe('violation');
  });

  it('a finding without a package URL matches no package product (fail closed)', () => {
    const { purl: _purl, ...withoutPurl } = musl;

    expect(outcome(judge(buildBundle({ image, vulnerabilities: [withoutPurl] }), [openVex([notAffected([{ '@id': 'pkg:apk/alpine/musl' }])])]))).toBe('violation');
  });

  it('VEX comes before exceptions: the finding is listed once, as suppressed by VEX, and the exception suppressed nothing', () => {
    const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [buildException({ id: 'CVE-2019-14697' })]);

    const policy = evaluate([buildBundle({ image, vulnerabilities: [musl] })], policySet, { now: NOW, vex: [openVex([notAffected([{ '@id': 'pkg:apk/alpine/musl' }])])] }).images[0]!.policies[0]!;

    expect(policy.suppressed.map((finding) => finding.vex?.document)).toEqual(['vex/app.openvex.json']);
    expect(policy.exceptions).toEqual([]);
  });
});
