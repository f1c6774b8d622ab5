import { describe, expect, it } from 'vitest';
import type { FindingSeverity } from '../../../src/model/severity.ts';
import { buildBundle, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/fixable-severity', () => {
  it.each<[string, FindingSeverity, string | undefined, boolean]>([
    ['at the threshold with a fix', 'high', '1.0.1', true],
    ['at the threshold without a fix', 'high', undefined, false],
    ['an empty fixed version is no fix', 'high', '', false],
    ['below the threshold with a fix', 'medium', '1.0.1', false],
    ['unknown severity with a fix', 'unknown', '1.0.1', false],
    ['above the threshold with a fix', 'critical', '1.0.1', true],
  ])('%s', (_name, severity, fixedVersion, violates) => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability(fixedVersion === undefined ? { severity } : { severity, fixedVersion })] });

    const verdict = evaluateRules(bundle, { fixable_severity: 'high' });

    expect(verdict.passed).toBe(!violates);
  });

  it('names the fix', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ fixedVersion: '1.0.1' })] });

    const [violation] = evaluateRules(bundle, { fixable_severity: 'high' }).violations;

    expect(violation).toMatchObject({ rule: 'fixable_severity', fixed_version: '1.0.1' });
    expect(violation?.message).toBe('CVE-2024-0001 in openssl 1.0.0 is high and has a fix (the policy blocks fixable high and above); upgrade to 1.0.1');
  });
});
