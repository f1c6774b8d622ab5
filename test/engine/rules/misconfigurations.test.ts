import { describe, expect, it } from 'vitest';
import type { CheckStatus } from '../../../src/model/report.ts';
import type { FindingSeverity } from '../../../src/model/severity.ts';
import { buildBundle, buildCheck, buildException } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/misconfigurations', () => {
  it.each<[string, FindingSeverity, CheckStatus, boolean]>([
    ['failed at the threshold', 'high', 'fail', true],
    ['failed above the threshold', 'critical', 'fail', true],
    ['failed just below the threshold', 'medium', 'fail', false],
    ['failed with unknown severity', 'unknown', 'fail', false],
    ['passed', 'critical', 'pass', false],
    ['skipped', 'critical', 'skip', false],
  ])('%s', (_name, severity, status, violates) => {
    const bundle = buildBundle({ checks: [buildCheck({ severity, status })] });

    const verdict = evaluateRules(bundle, { misconfigurations: 'high' });

    expect(verdict.passed).toBe(!violates);
  });

  it('reports a check once, naming where it failed', () => {
    const bundle = buildBundle({
      checks: [buildCheck({ target: 'Dockerfile', message: "Specify at least 1 USER command in Dockerfile with non-root user as argument" }), buildCheck({ id: 'ds002', target: 'build/Dockerfile' })],
    });

    const { violations } = evaluateRules(bundle, { misconfigurations: 'high' });

    expect(violations).toEqual([
      {
        rule: 'misconfigurations',
        attribution: 'introduced',
        id: 'DS002',
        severity: 'high',
        message: 'DS002 (Image user should not be root) failed in Dockerfile, build/Dockerfile: Specify at least 1 USER command in Dockerfile with non-root user as argument; it is high, and the policy blocks high and above',
      },
    ]);
  });

  it('is waived by an alternative ID', () => {
    const bundle = buildBundle({ checks: [buildCheck({ altIds: ['AVD-DS-0002'] })] });

    const verdict = evaluateRules(bundle, { misconfigurations: 'high' }, [buildException({ id: 'avd-ds-0002' })]);

    expect(verdict.passed).toBe(true);
  });
});
