import { describe, expect, it } from 'vitest';
import { buildBundle, buildException, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/cves', () => {
  it.each([
    ['by ID', ['CVE-2021-44228'], true],
    ['by ID, case-insensitively', ['cve-2021-44228'], true],
    ['by alias', ['GHSA-jfh8-c2jp-5v3q'], true],
    ['by alias, case-insensitively', ['ghsa-JFH8-c2jp-5v3q'], true],
    ['by ID in mixed case', ['Cve-2021-44228'], true],
    ['another ID', ['CVE-2021-45046'], false],
    ['the same number with a leading zero', ['CVE-2021-044228'], false],
    ['a prefix of the ID', ['CVE-2021-4422'], false],
  ])('%s', (_name, cves, violates) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] })] });

    const verdict = evaluateRules(bundle, { cves });

    expect(verdict.passed).toBe(!violates);
  });

  it('reports the vulnerability ID and the alias it matched by', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] })] });

    const [violation] = evaluateRules(bundle, { cves: ['GHSA-jfh8-c2jp-5v3q'] }).violations;

    expect(violation?.id).toBe('CVE-2021-44228');
    expect(violation?.message).toContain('(as GHSA-jfh8-c2jp-5v3q)');
  });

  it.each([
    ['a lowercase ID in the report', 'cve-2021-44228'],
    ['a non-canonical ID in the report', 'CVE-2021-044228'],
  ])('matches %s only by its exact text, case-insensitively', (_name, id) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ id, aliases: [] })] });

    expect(evaluateRules(bundle, { cves: [id.toUpperCase()] }).passed).toBe(false);
    expect(evaluateRules(bundle, { cves: ['CVE-2021-44229'] }).passed).toBe(true);
  });

  it('is waived by an exception naming an alias', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] })] });

    const verdict = evaluateRules(bundle, { cves: ['CVE-2021-44228'] }, [buildException({ id: 'ghsa-jfh8-c2jp-5v3q' })]);

    expect(verdict.passed).toBe(true);
    expect(verdict.suppressed.map((v) => v.exception)).toEqual(['ghsa-jfh8-c2jp-5v3q']);
  });
});
