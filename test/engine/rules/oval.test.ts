import { describe, expect, it } from 'vitest';
import type { OvalClass } from '../../../src/model/report.ts';
import { buildBundle, buildException, buildOval } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/oval', () => {
  it.each<[OvalClass, string, boolean]>([
    ['vulnerability', 'true', true],
    ['vulnerability', 'false', false],
    ['patch', 'true', true],
    ['patch', 'false', false],
    ['compliance', 'false', true],
    ['compliance', 'true', false],
    ['inventory', 'false', true],
    ['inventory', 'true', false],
    ['miscellaneous', 'false', false],
    ['vulnerability', 'error', false],
    ['compliance', 'not applicable', false],
  ])('%s with result %s', (ovalClass, result, violates) => {
    const bundle = buildBundle({ oval: [buildOval({ class: ovalClass, result })] });

    const verdict = evaluateRules(bundle, { oval: 'deny' });

    expect(verdict.passed).toBe(!violates);
  });

  it('explains a failed compliance definition', () => {
    const bundle = buildBundle({ oval: [buildOval({ id: 'oval:x:def:2', class: 'compliance', result: 'false', title: 'Ensure /tmp is a separate partition' })] });

    const [violation] = evaluateRules(bundle, { oval: 'deny' }).violations;

    expect(violation).toEqual({
      rule: 'oval',
      attribution: 'introduced',
      id: 'oval:x:def:2',
      message: 'OVAL compliance definition oval:x:def:2 (Ensure /tmp is a separate partition) is false: the image is not compliant; fix the configuration it checks',
    });
  });

  it('is waived by the definition ID', () => {
    const verdict = evaluateRules(buildBundle({ oval: [buildOval()] }), { oval: 'deny' }, [buildException({ id: 'oval:org.example:def:1' })]);

    expect(verdict.passed).toBe(true);
  });
});
