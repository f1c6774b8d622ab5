import { describe, expect, it } from 'vitest';
import type { Cvss } from '../../../src/model/report.ts';
import { buildBundle, buildCvss, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/max-cvss', () => {
  it.each<[string, Cvss[], number | undefined]>([
    ['exactly at the limit', [buildCvss(9)], 9],
    ['just below the limit', [buildCvss(8.9)], undefined],
    ['no CVSS: the rule does not apply', [], undefined],
    ['v2 only counts when there is nothing newer', [buildCvss(9.3, '2.0')], 9.3],
    ['v3 beats a higher v2', [buildCvss(10, '2.0'), buildCvss(7.5, '3.1')], undefined],
    ['v4 beats a higher v2', [buildCvss(10, '2.0'), buildCvss(8, '4.0')], undefined],
    ['the highest v3/v4 from any source', [buildCvss(7, '3.1', 'nvd'), buildCvss(9.1, '3.0', 'ghsa'), buildCvss(8, '4.0', 'redhat')], 9.1],
  ])('%s', (_name, cvss, expectedScore) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ cvss })] });

    const { violations } = evaluateRules(bundle, { max_cvss: 9 });

    expect(violations.map((v) => v.cvss)).toEqual(expectedScore === undefined ? [] : [expectedScore]);
  });

  it('says the score and the limit', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ cvss: [buildCvss(9.8)], fixedVersion: '1.0.1' })] });

    const [violation] = evaluateRules(bundle, { max_cvss: 9 }).violations;

    expect(violation?.message).toBe('CVE-2024-0001 in openssl 1.0.0 has CVSS 9.8 (the policy blocks 9.0 and above); upgrade to 1.0.1');
  });
});
