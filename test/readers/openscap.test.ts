import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { readReport } from '../../src/readers/index.ts';
import { readFixture } from '../helpers/fixtures.ts';

const encode = (text: string): Uint8Array => new TextEncoder().encode(text);

function ovalResults(definitions: string, results: string): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<oval_results xmlns="http://oval.mitre.org/XMLSchema/oval-results-5" xmlns:oval-def="http://oval.mitre.org/XMLSchema/oval-definitions-5">
  <oval_definitions xmlns="http://oval.mitre.org/XMLSchema/oval-definitions-5"><definitions>${definitions}</definitions></oval_definitions>
  <results><system><definitions>${results}</definitions></system></results>
</oval_results>`;
}

describe('src/readers/openscap/read', () => {
  it('reads the ARF: the OVAL result joined with its definition, and the XCCDF rule result', () => {
    const report = readReport('arf.xml', readFixture('scans/openscap/arf_simple_rule_fail.xml'));

    expect(report).toMatchObject({ format: 'oval-xml', tool: 'openscap' });
    expect(report.image).toBeUndefined();
    expect(report.oval).toEqual([{ id: 'oval:x:def:1', class: 'compliance', result: 'false', title: 'FAIL', refs: [] }]);
    expect(report.checks).toEqual([
      { id: 'xccdf_com.example.www_rule_test-fail', altIds: [], title: 'This rule always fail', severity: 'unknown', status: 'fail', tool: 'openscap', message: 'result: fail', target: 'rh-hony' },
    ]);
  });

  it('reads a bare OVAL results document with references', () => {
    const xml = ovalResults(
      `<definition id="oval:com.redhat.rhsa:def:1" class="patch" version="1"><metadata><title>RHSA-2024:1: openssl update</title><reference source="RHSA" ref_id="RHSA-2024:1"/><reference source="CVE" ref_id="CVE-2024-1"/></metadata></definition>
       <definition id="oval:x:def:2" class="inventory" version="1"><metadata><title>RHEL 9 is installed</title></metadata></definition>`,
      `<definition definition_id="oval:com.redhat.rhsa:def:1" result="true" version="1"/><definition definition_id="oval:x:def:2" result="true" version="1"/>`,
    );

    const report = readReport('oval.xml', encode(xml));

    expect(report.oval).toEqual([
      { id: 'oval:com.redhat.rhsa:def:1', class: 'patch', result: 'true', title: 'RHSA-2024:1: openssl update', refs: ['RHSA-2024:1', 'CVE-2024-1'] },
      { id: 'oval:x:def:2', class: 'inventory', result: 'true', title: 'RHEL 9 is installed', refs: [] },
    ]);
  });

  it.each([
    { name: 'a result for an unknown definition', xml: ovalResults('', '<definition definition_id="oval:x:def:9" result="true"/>'), message: "oval_results[1]/results/system[1]/definitions/definition[1]/@definition_id: expected a definition present in the document's oval_definitions (got the string \"oval:x:def:9\")" },
    { name: 'a result without @result', xml: ovalResults('<definition id="oval:x:def:1" class="patch"/>', '<definition definition_id="oval:x:def:1"/>'), message: 'oval_results[1]/results/system[1]/definitions/definition[1]/@result: expected a result (true, false, unknown, error, …)' },
    { name: 'an unknown class', xml: ovalResults('<definition id="oval:x:def:1" class="weird"/>', '<definition definition_id="oval:x:def:1" result="true"/>'), message: 'definition oval:x:def:1 @class: expected compliance, inventory, miscellaneous, patch, vulnerability (got the string "weird")' },
  ])('rejects $name', ({ xml, message }) => {
    try {
      readReport('oval.xml', encode(xml));
      expect.unreachable('expected an InputError');
    } catch (error) {
      expect((error as InputError).problems).toEqual([{ file: 'oval.xml', message }]);
    }
  });

  it('rejects an ARF that holds no results', () => {
    const xml = '<?xml version="1.0"?><arf:asset-report-collection xmlns:arf="http://scap.nist.gov/schema/asset-reporting-format/1.1"><arf:reports/></arf:asset-report-collection>';

    expect(() => readReport('arf.xml', encode(xml))).toThrow(InputError);
  });
});
