import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/model/report.ts';
import { buildBundle, buildCheck } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/compliance', () => {
  it.each<[string, string, string[], CheckStatus, string[], boolean]>([
    ['the ID failed', 'CIS-DI-0001', [], 'fail', ['CIS-DI-0001'], true],
    ['IDs compare case-insensitively', 'cis-di-0001', [], 'fail', ['CIS-DI-0001'], true],
    ['an alternative ID matches', 'DS002', ['AVD-DS-0002'], 'fail', ['avd-ds-0002'], true],
    ['the check passed', 'CIS-DI-0001', [], 'pass', ['CIS-DI-0001'], false],
    ['the check was skipped', 'CIS-DI-0001', [], 'skip', ['CIS-DI-0001'], false],
    ['another check failed', 'CIS-DI-0005', [], 'fail', ['CIS-DI-0001'], false],
    ['severity does not matter', 'CIS-DI-0001', [], 'fail', ['CIS-DI-0001'], true],
  ])('%s', (_name, id, altIds, status, required, violates) => {
    const bundle = buildBundle({ checks: [buildCheck({ id, altIds, status, severity: 'low' })] });

    const verdict = evaluateRules(bundle, { compliance: required });

    expect(verdict.passed).toBe(!violates);
  });

  it('says the check must pass', () => {
    const bundle = buildBundle({ checks: [buildCheck({ id: 'CIS-DI-0001', title: 'Create a user for the container', tool: 'dockle', severity: 'medium' })] });

    const [violation] = evaluateRules(bundle, { compliance: ['CIS-DI-0001'] }).violations;

    expect(violation?.message).toBe('CIS-DI-0001 (Create a user for the container) failed; the policy requires this check to pass');
  });
});
