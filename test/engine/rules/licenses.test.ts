import { describe, expect, it } from 'vitest';
import { splitLicenseExpression } from '../../../src/engine/rules/licenses.ts';
import { buildBundle, buildException, buildLicense, buildPackage } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/licenses', () => {
  it.each([
    ['glob', ['GPL-3.0'], ['AGPL-*'], []],
    ['glob match', ['AGPL-3.0-only'], ['AGPL-*'], ['AGPL-3.0-only']],
    ['case-insensitive', ['agpl-3.0'], ['AGPL-*'], ['agpl-3.0']],
    ['prefix glob', ['GPL-3.0-or-later'], ['GPL-3.0*'], ['GPL-3.0-or-later']],
    ['OR is a choice: an allowed alternative passes', ['MIT OR GPL-3.0-only'], ['GPL-3.0*'], []],
    ['OR with every alternative denied', ['GPL-2.0-only OR GPL-3.0-only'], ['GPL-*'], ['GPL-2.0-only', 'GPL-3.0-only']],
    ['AND: one denied ID is enough', ['MIT AND GPL-3.0-only'], ['GPL-3.0*'], ['GPL-3.0-only']],
    ['parentheses: (MIT OR GPL) AND AGPL', ['(MIT OR GPL-3.0-only) AND AGPL-3.0-only'], ['GPL-3.0*', 'AGPL-*'], ['AGPL-3.0-only']],
    ['parentheses: MIT AND (GPL OR AGPL), both denied', ['MIT AND (GPL-3.0-only OR AGPL-3.0-only)'], ['GPL-3.0*', 'AGPL-*'], ['AGPL-3.0-only', 'GPL-3.0-only']],
    ['WITH an exception is still the license', ['GPL-2.0-only WITH Classpath-exception-2.0'], ['GPL-2.0*'], ['GPL-2.0-only']],
    ['lower-case operators', ['mit or gpl-3.0-only'], ['GPL-3.0*'], []],
    ['an unbalanced expression judges every ID (fail closed)', ['(MIT OR GPL-3.0-only'], ['GPL-3.0*'], ['GPL-3.0-only']],
    ['one violation per license and package', ['GPL-3.0', 'GPL-3.0'], ['GPL-*'], ['GPL-3.0']],
  ])('%s', (_name, licenses, denied, expected) => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'readline', licenses })] });

    const { violations } = evaluateRules(bundle, { licenses: denied });

    expect(violations.map((v) => v.id)).toEqual(expected);
  });

  it('judges license findings too, and one violation per package', () => {
    const bundle = buildBundle({
      packages: [buildPackage({ name: 'readline', version: '8.2', licenses: ['GPL-3.0'] })],
      licenses: [buildLicense({ license: 'GPL-3.0', package: 'readline' }), buildLicense({ license: 'GPL-3.0', package: 'bash' }), buildLicense({ license: 'GPL-3.0' })],
    });

    const { violations } = evaluateRules(bundle, { licenses: ['GPL-*'] });

    expect(violations.map((v) => [v.id, v.package, v.version])).toEqual([
      ['GPL-3.0', undefined, undefined],
      ['GPL-3.0', 'bash', undefined],
      ['GPL-3.0', 'readline', '8.2'],
    ]);
    expect(violations[2]?.message).toBe('readline 8.2 is under GPL-3.0, which the policy denies (GPL-*); replace readline or add an exception');
  });

  it.each([['GPL-3.0'], ['readline']])('is waived by the license or the package name: %s', (id) => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'readline', licenses: ['GPL-3.0'] })] });

    const verdict = evaluateRules(bundle, { licenses: ['GPL-*'] }, [buildException({ id })]);

    expect(verdict.passed).toBe(true);
  });

  it.each([
    ['MIT', ['MIT']],
    ['(MIT OR GPL-3.0-only) AND Apache-2.0 WITH LLVM-exception', ['MIT', 'GPL-3.0-only', 'Apache-2.0']],
    ['GNU General Public License v3', ['GNU General Public License v3']],
  ])('splits %s', (expression, ids) => {
    expect(splitLicenseExpression(expression)).toEqual(ids);
  });
});
