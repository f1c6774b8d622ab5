import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { buildBundleFacts } from '../../src/engine/facts.ts';
import { compareFindingIds, cveKey, primaryKeys, radixOrder } from '../../src/engine/order.ts';
import type { Vulnerability } from '../../src/model/report.ts';
import { buildBundle, buildCvss, buildVulnerability } from '../helpers/build-bundle.ts';

describe('src/engine/order', () => {
  it.each([
    ['CVE-2021-9999', 'CVE-2021-10000', -1],
    ['CVE-2020-99999', 'CVE-2021-1', -1],
    ['CVE-2021-44228', 'GHSA-jfh8-c2jp-5v3q', -1],
    ['ALAS-2021-1', 'CVE-2021-0001', 1],
    ['GHSA-a', 'GHSA-b', -1],
    ['CVE-2021-1', 'CVE-2021-1', 0],
  ])('%s vs %s', (a, b, expected) => {
    expect(Math.sign(compareFindingIds(a, b))).toBe(expected);
    expect(Math.sign(compareFindingIds(b, a))).toBe(expected === 0 ? 0 : -expected);
  });

  it.each([
    ['CVE-2021-44228', 2021e12 + 44228],
    ['CVE-2021-0001', 2021e12 + 1],
    ['CVE-2021-1', -1],
    ['CVE-2021-01234', -1],
    ['cve-2021-44228', -1],
    ['CVE-21-1', -1],
    ['CVE-2021-', -1],
    ['GHSA-1', -1],
  ])('cveKey(%s)', (id, key) => {
    expect(cveKey(id)).toBe(key);
  });

  const vulnerability: fc.Arbitrary<Vulnerability> = fc
    .record({
      id: fc.oneof(
        fc.tuple(fc.integer({ min: 1999, max: 2026 }), fc.integer({ min: 1, max: 40_000_000 })).map(([year, n]) => `CVE-${year}-${n}`),
        fc.constantFrom('GHSA-aaaa', 'GHSA-bbbb', 'cve-2021-5', 'ALAS-2021-1', 'CVE-2021-5'),
      ),
      package: fc.constantFrom('a', 'b', 'c'),
      severity: fc.constantFrom('unknown', 'negligible', 'low', 'medium', 'high', 'critical'),
      score: fc.option(fc.constantFrom(0, 5, 5.35, 5.4, 9.8, 10), { nil: undefined }),
    })
    .map(({ score, ...rest }) => buildVulnerability({ ...rest, cvss: score === undefined ? [] : [buildCvss(score)] }));

  it('sorts every index as the comparator does, on the fast path and the slow one', () => {
    fc.assert(
      fc.property(fc.array(vulnerability, { maxLength: 60 }), (vulnerabilities) => {
        const facts = buildBundleFacts(buildBundle({ vulnerabilities }));
        const all = vulnerabilities.map((_, i) => i);

        const sorted = facts.sortVulnerabilities([...all]);

        expect(sorted).toEqual([...all].sort((a, b) => facts.compareVulnerabilities(a, b)));
      }),
      { numRuns: 500 },
    );
  });

  it('orders by radix exactly as the comparator when scores have one decimal', () => {
    const oneDecimal = vulnerability.map((v) => ({ ...v, cvss: v.cvss.map((c) => ({ ...c, score: Math.round(c.score * 10) / 10 })), id: v.id.replace(/-(\d{8,})$/, '-1') }));
    fc.assert(
      fc.property(fc.array(oneDecimal, { maxLength: 60 }), (vulnerabilities) => {
        const facts = buildBundleFacts(buildBundle({ vulnerabilities }));
        const all = vulnerabilities.map((_, i) => i);
        const cves = new Float64Array(vulnerabilities.map((v) => cveKey(v.id)));
        const compare = (a: number, b: number) => facts.compareVulnerabilities(a, b);

        const order = radixOrder(all.length, primaryKeys(facts.vulnerabilityRanks, facts.vulnerabilityCvss), cves, compare);

        expect(Array.from(order)).toEqual([...all].sort(compare));
      }),
      { numRuns: 500 },
    );
  });
});
