import { describe, expect, it } from 'vitest';
import { detectFormat } from '../../src/readers/detect-format.ts';
import { readFixtureText } from '../helpers/fixtures.ts';

describe('src/readers/detect-format', () => {
  it.each([
    { file: 'scans/trivy/alpine-39.json', format: 'trivy-json' },
    { file: 'scans/grype/many_vulns2.json', format: 'grype-json' },
    { file: 'scans/grype/check_all_fields.json', format: 'grype-json' },
    { file: 'scans/trivy/sarif/alpine-310.sarif.json', format: 'sarif' },
    { file: 'scans/dockle/dockle_0_3_15.sarif', format: 'sarif' },
    { file: 'scans/trivy/cyclonedx/pom-cyclonedx.json', format: 'cyclonedx-json' },
    { file: 'scans/grype/cyclonedx/grype.xml', format: 'cyclonedx-xml' },
    { file: 'scans/dockle/many_findings.json', format: 'dockle-json' },
    { file: 'scans/openscap/arf_simple_rule_fail.xml', format: 'oval-xml' },
  ])('detects $file as $format', ({ file, format }) => {
    expect(detectFormat(readFixtureText(file))).toBe(format);
  });

  it.each([
    { name: 'a clamscan log', text: '/scan/a.txt: OK\n\n----------- SCAN SUMMARY -----------\nInfected files: 0\n', format: 'clamav-log' },
    { name: 'a bare OVAL results document', text: '<?xml version="1.0"?><oval_results xmlns="http://oval.mitre.org/XMLSchema/oval-results-5"/>', format: 'oval-xml' },
    { name: 'unknown JSON', text: '{"a": 1}', format: undefined },
    { name: 'invalid JSON', text: '{"a": ', format: undefined },
    { name: 'invalid XML', text: '<bom><a></bom>', format: undefined },
    { name: 'prose', text: 'nothing to see here', format: undefined },
  ])('detects $name', ({ text, format }) => {
    expect(detectFormat(text)).toBe(format);
  });
});
