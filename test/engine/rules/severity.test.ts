import { describe, expect, it } from 'vitest';
import type { FindingSeverity, Severity } from '../../../src/model/severity.ts';
import { buildBundle, buildCvss, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/severity', () => {
  it.each<[string, FindingSeverity, Severity, boolean]>([
    ['exactly at the threshold', 'high', 'high', true],
    ['above the threshold', 'critical', 'high', true],
    ['just below the threshold', 'medium', 'high', false],
    ['unknown meets no threshold', 'unknown', 'negligible', false],
    ['negligible at negligible', 'negligible', 'negligible', true],
    ['low below medium', 'low', 'medium', false],
  ])('%s: %s vs %s', (_name, severity, threshold, violates) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ severity })] });

    const verdict = evaluateRules(bundle, { severity: threshold });

    expect(verdict.passed).toBe(!violates);
  });

  it('says what to upgrade to', () => {
    const bundle = buildBundle({
      vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', package: 'log4j-core', installedVersion: '2.14.1', fixedVersion: '2.17.1', severity: 'critical', cvss: [buildCvss(10)] })],
    });

    const [violation] = evaluateRules(bundle, { severity: 'critical' }).violations;

    expect(violation).toEqual({
      rule: 'severity',
      attribution: 'introduced',
      id: 'CVE-2021-44228',
      package: 'log4j-core',
      version: '2.14.1',
      severity: 'critical',
      cvss: 10,
      fixed_version: '2.17.1',
      message: 'CVE-2021-44228 in log4j-core 2.14.1 is critical (the policy blocks critical and above); upgrade to 2.17.1',
    });
  });

  it('says when there is no fix yet', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ severity: 'critical' })] });

    const [violation] = evaluateRules(bundle, { severity: 'high' }).violations;

    expect(violation?.message).toContain('no fixed version is available yet');
    expect(violation && 'fixed_version' in violation).toBe(false);
  });

  it('keeps one violation per finding ID and package, the most severe', () => {
    const bundle = buildBundle({
      vulnerabilities: [
        buildVulnerability({ severity: 'high' }),
        buildVulnerability({ severity: 'critical', fixedVersion: '1.0.1' }),
        buildVulnerability({ severity: 'high', package: 'libssl' }),
      ],
    });

    const { violations } = evaluateRules(bundle, { severity: 'high' });

    expect(violations.map((v) => [v.package, v.severity])).toEqual([
      ['openssl', 'critical'],
      ['libssl', 'high'],
    ]);
  });

  it.each([
    ['a CVE ID in two cases', 'CVE-2021-44228', 'cve-2021-44228', 1],
    ['a CVE ID with a large number in two cases', 'CVE-2021-1234567890', 'cve-2021-1234567890', 1],
    ['a CVE ID of an odd year in two cases', 'CVE-1970-1234', 'Cve-1970-1234', 1],
    ['two CVE IDs with large numbers', 'CVE-2021-1234567890', 'CVE-2021-1234567891', 2],
    ['a CVE ID and its non-canonical spelling', 'CVE-2021-44228', 'CVE-2021-044228', 2],
    ['a CVE ID and a non-CVE ID', 'CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q', 2],
    ['a non-CVE ID in two cases', 'GHSA-jfh8-c2jp-5v3q', 'ghsa-jfh8-c2jp-5v3q', 2],
  ])('de-duplicates %s in one package as %i violation(s)', (_name, first, second, expected) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ id: first, severity: 'critical' }), buildVulnerability({ id: second, severity: 'high' })] });

    const { violations } = evaluateRules(bundle, { severity: 'high' });

    expect(violations.map((v) => v.id)).toEqual(expected === 1 ? [first] : expect.arrayContaining([first, second]));
    expect(violations).toHaveLength(expected);
  });

  it('orders violations most severe first: severity, then CVSS, then ID', () => {
    const bundle = buildBundle({
      vulnerabilities: [
        buildVulnerability({ id: 'CVE-3', severity: 'high', cvss: [buildCvss(7)] }),
        buildVulnerability({ id: 'CVE-2', severity: 'high', cvss: [buildCvss(8)] }),
        buildVulnerability({ id: 'CVE-1', severity: 'high', cvss: [buildCvss(7)] }),
        buildVulnerability({ id: 'CVE-4', severity: 'critical' }),
        buildVulnerability({ id: 'CVE-0', severity: 'high' }),
      ],
    });

    const ids = evaluateRules(bundle, { severity: 'high' }).violations.map((v) => v.id);

    expect(ids).toEqual(['CVE-4', 'CVE-2', 'CVE-1', 'CVE-3', 'CVE-0']);
  });
});
