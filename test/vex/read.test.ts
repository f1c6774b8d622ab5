import { describe, expect, it } from 'vitest';
import { readVexDocument } from '../../src/vex/index.ts';
import { readFixture } from '../helpers/fixtures.ts';
import { problemsOf } from '../helpers/input-error.ts';

function openVex(statements: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ '@context': 'https://openvex.dev/ns/v0.2.0', '@id': 'test', author: 'test', timestamp: '2026-11-01T00:00:00Z', version: 1, statements, ...extra });
}

function statement(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { vulnerability: { name: 'CVE-2019-14697' }, products: [{ '@id': 'pkg:apk/alpine/musl' }], status: 'not_affected', justification: 'vulnerable_code_not_in_execute_path', ...overrides };
}

function cycloneDx(vulnerabilities: unknown[], extra: Record<string, unknown> = {}): string {
  return JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.5', version: 1, vulnerabilities, ...extra });
}

describe('src/vex/index', () => {
  it.each([
    { file: 'vex/openvex.json', format: 'openvex', count: 1 },
    { file: 'vex/oci.openvex.json', format: 'openvex', count: 7 },
    { file: 'vex/trivy.openvex.json', format: 'openvex', count: 21 },
    { file: 'vex/csaf.json', format: 'csaf-vex', count: 1 },
  ])('reads the real $format document $file: $count statements', ({ file, format, count }) => {
    const document = readVexDocument(file, readFixture(file));

    expect(document.format).toBe(format);
    expect(document.statements).toHaveLength(count);
  });

  it("reads Trivy's own OpenVEX: the name, the aliases, a package product narrowed to a subcomponent", () => {
    const document = readVexDocument('trivy.openvex.json', readFixture('vex/trivy.openvex.json'));

    expect(document.statements[0]).toEqual({
      document: 'trivy.openvex.json',
      at: 'statements[0]',
      vulnerability: 'GO-2024-2575',
      aliases: ['CVE-2024-26147', 'GHSA-r53h-jv2g-vpx6'],
      products: [
        {
          id: 'pkg:golang/github.com/aquasecurity/trivy',
          purl: { type: 'golang', namespace: 'github.com/aquasecurity', name: 'trivy', qualifiers: {} },
          subcomponents: [{ id: 'pkg:golang/helm.sh/helm/v3', purl: { type: 'golang', namespace: 'helm.sh/helm', name: 'v3', qualifiers: {} } }],
        },
      ],
      status: 'not_affected',
      justification: 'vulnerable_code_not_in_execute_path',
      impactStatement: "Govulncheck determined that the vulnerable code isn't called",
      timestamp: '2024-07-09T07:38:00.115Z',
    });
  });

  it("reads the image products of Trivy's OCI OpenVEX (repository_url decoded) and a vulnerability given by @id (openvex.json)", () => {
    const oci = readVexDocument('oci.openvex.json', readFixture('vex/oci.openvex.json'));
    const plain = readVexDocument('openvex.json', readFixture('vex/openvex.json'));

    expect(oci.statements[0]!.products.map((product) => product.purl)).toEqual([
      { type: 'oci', name: 'trivy', qualifiers: { repository_url: 'index.docker.io/aquasec/trivy' } },
      { type: 'oci', name: 'trivy', qualifiers: { repository_url: 'public.ecr.aws/aquasecurity/trivy' } },
      { type: 'oci', name: 'trivy', qualifiers: { repository_url: 'ghcr.io/aquasecurity/trivy' } },
    ]);
    expect(oci.statements[0]!.impactStatement).toBe('awk is not used');
    expect(plain.statements[0]!.vulnerability).toBe('CVE-2022-23628');
    expect(plain.statements[0]!.products[0]!.subcomponents[0]!.purl.version).toBe('v0.35.0');
  });

  it('reads CSAF VEX: the product ID through the product tree to its purl, the impact threat as impact statement, the release date as time', () => {
    const document = readVexDocument('csaf.json', readFixture('vex/csaf.json'));

    expect(document.statements).toEqual([
      {
        document: 'csaf.json',
        at: 'vulnerabilities[0].product_status.known_not_affected[0]',
        vulnerability: 'CVE-2024-0001',
        aliases: [],
        products: [{ id: 'go-transitive-v4.0.0', purl: { type: 'golang', namespace: 'github.com/aquasecurity', name: 'go-transitive', version: 'v4.0.0', qualifiers: {} }, subcomponents: [] }],
        status: 'not_affected',
        impactStatement: 'vulnerable_code_not_in_execute_path',
        timestamp: '2022-03-03T11:00:00.000Z',
      },
    ]);
  });

  it('refuses the real CycloneDX VEX whose second not_affected analysis gives no justification nor detail, naming its place', () => {
    expect(problemsOf(() => readVexDocument('cyclonedx.json', readFixture('vex/cyclonedx.json')))).toEqual([
      {
        file: 'cyclonedx.json',
        message: 'vulnerabilities[1].analysis: a not_affected statement needs a justification or a detail; without one it cannot suppress anything, so the document is refused',
      },
    ]);
  });

  it('reads CycloneDX VEX: a BOM-link ref to its purl, references as aliases, lastUpdated as time, false_positive as not_affected', () => {
    const text = cycloneDx([
      {
        id: 'CVE-2021-44228',
        references: [{ id: 'GHSA-jfh8-c2jp-5v3q', source: { name: 'GitHub' } }],
        analysis: { state: 'not_affected', justification: 'code_not_reachable', lastUpdated: '2026-10-01T00:00:00Z' },
        affects: [{ ref: 'urn:cdx:3e671687-395b-41f5-a30f-a58921a69b79/1#pkg:maven/org.springframework.boot/spring-boot@2.6.0' }],
      },
      { id: 'CVE-2022-1', analysis: { state: 'false_positive' }, affects: [{ ref: 'app' }] },
    ], { components: [{ 'bom-ref': 'app', type: 'library', name: 'app', purl: 'pkg:npm/app@1.0.0' }] });

    const document = readVexDocument('vex.cdx.json', text);

    expect(document.statements.map(({ vulnerability, aliases, status, justification, timestamp, products }) => ({ vulnerability, aliases, status, justification, timestamp, purls: products.map((p) => p.purl) }))).toEqual([
      {
        vulnerability: 'CVE-2021-44228',
        aliases: ['GHSA-jfh8-c2jp-5v3q'],
        status: 'not_affected',
        justification: 'code_not_reachable',
        timestamp: '2026-10-01T00:00:00.000Z',
        purls: [{ type: 'maven', namespace: 'org.springframework.boot', name: 'spring-boot', version: '2.6.0', qualifiers: {} }],
      },
      { vulnerability: 'CVE-2022-1', aliases: [], status: 'not_affected', justification: 'false_positive', timestamp: undefined, purls: [{ type: 'npm', name: 'app', version: '1.0.0', qualifiers: {} }] },
    ]);
  });

  it("keeps only a CycloneDX not_affected statement's unaffected versions, and every listed version of an affected one", () => {
    const versions = [{ version: '1.0.0', status: 'affected' }, { version: '1.0.1', status: 'unaffected' }];
    const text = cycloneDx([
      { id: 'CVE-1', analysis: { state: 'not_affected', detail: 'not loaded' }, affects: [{ ref: 'pkg:npm/app', versions }] },
      { id: 'CVE-1', analysis: { state: 'exploitable' }, affects: [{ ref: 'pkg:npm/app', versions }] },
    ]);

    const [notAffected, affected] = readVexDocument('vex.cdx.json', text).statements;

    expect(notAffected!.products.map((p) => p.purl.version)).toEqual(['1.0.1']);
    expect(affected!.products.map((p) => p.purl.version)).toEqual(['1.0.0', '1.0.1']);
    expect(affected!.status).toBe('affected');
  });

  it.each([
    { name: 'not_affected without justification or impact statement', text: openVex([statement(), statement({ justification: undefined })]), message: 'statements[1]: a not_affected statement needs a justification or an impact_statement; without one it cannot suppress anything, so the document is refused' },
    { name: 'a blank impact statement is none', text: openVex([statement({ justification: undefined, impact_statement: '  ' })]), message: 'statements[0]: a not_affected statement needs a justification or an impact_statement; without one it cannot suppress anything, so the document is refused' },
    { name: 'an unknown status', text: openVex([statement({ status: 'safe' })]), message: 'statements[0].status: expected one of not_affected, affected, fixed, under_investigation (got the string "safe")' },
    { name: 'an unknown justification', text: openVex([statement({ justification: 'trust me' })]), message: 'statements[0].justification: expected one of component_not_present, vulnerable_code_not_present, vulnerable_code_not_in_execute_path, vulnerable_code_cannot_be_controlled_by_adversary, inline_mitigations_already_exist (got the string "trust me")' },
    { name: 'a product that is not a package URL', text: openVex([statement({ products: [{ '@id': 'cpe:2.3:a:acme:app' }] })]), message: "statements[0].products[0]['@id']: expected a package URL, pkg:TYPE/NAME… (other product identifiers are not supported) (got the string \"cpe:2.3:a:acme:app\")" },
    { name: 'no products', text: openVex([statement({ products: [] })]), message: 'statements[0].products: expected at least one product' },
    { name: 'no vulnerability ID', text: openVex([statement({ vulnerability: { description: 'x' } })]), message: 'statements[0].vulnerability.name: expected the vulnerability ID (name or @id) (got nothing)' },
    { name: 'an unparsable timestamp', text: openVex([statement({ timestamp: 'yesterday' })]), message: 'statements[0].timestamp: expected an ISO 8601 date-time (got the string "yesterday")' },
    { name: 'CycloneDX before 1.4', text: JSON.stringify({ bomFormat: 'CycloneDX', specVersion: '1.3', vulnerabilities: [] }), message: 'specVersion: expected CycloneDX 1.4 or later (VEX needs analysis justifications) (got the string "1.3")' },
    { name: 'a CycloneDX vulnerability without analysis (a scan report, not VEX)', text: cycloneDx([{ id: 'CVE-1', affects: [{ ref: 'pkg:npm/a@1' }] }]), message: 'vulnerabilities[0].analysis: expected an object (got nothing)' },
    { name: 'a CycloneDX version range', text: cycloneDx([{ id: 'CVE-1', analysis: { state: 'not_affected', detail: 'x' }, affects: [{ ref: 'pkg:npm/a', versions: [{ range: 'vers:npm/<2' }] }] }]), message: 'vulnerabilities[0].affects[0].versions[0].range: version ranges are not supported; list each version with "version"' },
    { name: 'JSON of another kind', text: '{"SchemaVersion": 2}', message: 'not a recognized VEX document: expected OpenVEX 0.2, CycloneDX VEX (1.4 or later) or CSAF 2.0 VEX (document.category csaf_vex)' },
  ])('refuses $name, naming the place', ({ text, message }) => {
    expect(problemsOf(() => readVexDocument('vex.json', text))).toEqual([{ file: 'vex.json', message }]);
  });

  it('refuses invalid JSON at its line and column', () => {
    expect(problemsOf(() => readVexDocument('vex.json', '{\n  "statements": [,]\n}'))).toEqual([{ file: 'vex.json', line: 2, col: 18, message: "invalid JSON: unexpected ','" }]);
  });

  it('refuses a CSAF known_not_affected product with neither a flag nor an impact threat, and finds a flag through a product group', () => {
    const csaf = (vulnerability: Record<string, unknown>): string =>
      JSON.stringify({
        document: { category: 'csaf_vex', csaf_version: '2.0', tracking: { current_release_date: '2026-11-01T00:00:00Z' } },
        product_tree: {
          full_product_names: [{ product_id: 'app', name: 'app', product_identification_helper: { purl: 'pkg:npm/app@1.0.0' } }],
          product_groups: [{ group_id: 'all', product_ids: ['app'] }],
        },
        vulnerabilities: [{ cve: 'CVE-2026-1', product_status: { known_not_affected: ['app'] }, ...vulnerability }],
      });

    expect(problemsOf(() => readVexDocument('csaf.json', csaf({})))).toEqual([
      {
        file: 'csaf.json',
        message:
          'vulnerabilities[0].product_status.known_not_affected[0]: product app is known_not_affected without a flag (its justification) or an impact threat (its impact statement); without one it cannot suppress anything, so the document is refused',
      },
    ]);
    expect(readVexDocument('csaf.json', csaf({ flags: [{ label: 'component_not_present', group_ids: ['all'] }] })).statements[0]!.justification).toBe('component_not_present');
  });
});
