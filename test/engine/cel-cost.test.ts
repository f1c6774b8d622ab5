import { describe, expect, it } from 'vitest';
import { checkCel, compileCel, EVALUATION_BUDGET_STEPS, toCelActivation } from '../../src/engine/cel.ts';
import { buildBundle, buildVulnerability } from '../helpers/build-bundle.ts';

/** A bundle with `count` vulnerabilities CVE-2024-0..n in packages p0..pn. */
function bundleWith(count: number): ReturnType<typeof buildBundle> {
  return buildBundle({ vulnerabilities: Array.from({ length: count }, (_, i) => buildVulnerability({ id: `CVE-2024-${i}`, package: `p${i}` })) });
}

const NESTED = 'bundle.vulnerabilities.exists(v, bundle.vulnerabilities.exists(w, w.id == v.id + "x"))';

describe('src/engine/cel-cost (through compileCel)', () => {
  it('charges every iteration of a comprehension, the same on every run', () => {
    const compiled = compileCel('bundle.vulnerabilities.exists(v, v.id == "none")');
    const activation = toCelActivation(bundleWith(1000));

    const first = compiled.tryEvaluate(activation);
    const second = compiled.tryEvaluate(activation);

    expect(first).toMatchObject({ ok: true, value: false });
    expect(first.steps).toBeGreaterThanOrEqual(2 * 1000);
    expect(second.steps).toBe(first.steps);
  });

  it('costs in proportion to the work: ten times the findings, about ten times the steps', () => {
    const compiled = compileCel("bundle.vulnerabilities.filter(v, v.severity == 'high').size() > 0");

    const small = compiled.tryEvaluate(toCelActivation(bundleWith(100))).steps;
    const large = compiled.tryEvaluate(toCelActivation(bundleWith(1000))).steps;

    expect(large / small).toBeGreaterThan(9);
    expect(large / small).toBeLessThan(11);
  });

  it.each([
    ['nested exists', NESTED],
    ['nested exists behind || true, which would absorb the error', `${NESTED} || true`],
    ['nested exists behind && false, which would absorb the error', `!${NESTED} && false`],
    ['a loop over a bound list', 'cel.bind(ids, bundle.vulnerabilities.map(v, v.id), ids.exists(a, ids.exists(b, a == b + "x")))'],
    ['`in` over a list built per iteration', 'bundle.vulnerabilities.exists(v, v.id in bundle.vulnerabilities.map(w, w.id + "x"))'],
    ['a list copied per iteration', 'bundle.vulnerabilities.exists(v, size(bundle.vulnerabilities + bundle.vulnerabilities) == 0)'],
  ])('stops %s at the budget and says so', (_name, expression) => {
    const compiled = compileCel(expression, { budgetSteps: 100_000 });

    const result = compiled.tryEvaluate(toCelActivation(bundleWith(2000)));

    expect(result).toMatchObject({ ok: false, isOverBudget: true, reason: 'it went over the evaluation budget of 100,000 steps' });
    // It stopped at the budget: far below the 4,000,000 iterations of the whole loop.
    expect(result.steps).toBeLessThan(100_000 + 2 * 2000 + 100);
  });

  it('lets an ordinary rule over many findings through within the budget', () => {
    const compiled = compileCel("bundle.vulnerabilities.filter(v, v.severity == 'high' && v.hasFix).size() > 10 || bundle.vulnerabilities.exists(v, v.cvss >= 9.0)");

    const result = compiled.tryEvaluate(toCelActivation(bundleWith(100_000)));

    expect(result.ok).toBe(true);
    expect(result.steps).toBeLessThan(EVALUATION_BUDGET_STEPS / 2);
  });
});

describe('src/engine/cel-regex (through compileCel)', () => {
  it.each([
    ['a receiver call', "bundle.image.ref.matches('^ghcr\\\\.io/')", true],
    ['no match', "bundle.image.ref.matches('acme/api$')", false],
    ['a partial match, as CEL says', "bundle.image.ref.matches('acme')", true],
    ['a pattern built at run time', "bundle.image.ref.matches(bundle.image.registry)", true],
  ])('matches with RE2: %s', (_name, expression, expected) => {
    const compiled = compileCel(expression);

    const result = compiled.tryEvaluate(toCelActivation(buildBundle({ image: 'ghcr.io/acme/api-server:1' })));

    expect(result).toMatchObject({ ok: true, value: expected });
  });

  it('runs a pattern that backtracks exponentially in JavaScript in linear time', () => {
    // With RegExp, (a|a)*$ over 40 a's and a b takes about 2^40 steps: this test would never end.
    const compiled = compileCel("bundle.image.tag.matches('^(a|a)*$')");

    const result = compiled.tryEvaluate(toCelActivation(buildBundle({ image: `ghcr.io/acme/api:${'a'.repeat(40)}b` })));

    expect(result).toMatchObject({ ok: true, value: false });
  });

  it('refuses a pattern RE2 does not have when the expression is checked, at its place', () => {
    const problem = checkCel("bundle.image.ref.matches('(a)\\\\1')");

    expect(problem).toEqual({ message: expect.stringContaining('invalid regular expression for matches()'), offset: 25 });
  });

  it('fails closed on a pattern built at run time that RE2 does not have', () => {
    const compiled = compileCel("bundle.image.ref.matches(bundle.image.registry + '(')");

    const result = compiled.tryEvaluate(toCelActivation(buildBundle({ image: 'ghcr.io/acme/api:1' })));

    expect(result).toMatchObject({ ok: false, isOverBudget: false, reason: expect.stringContaining('invalid regular expression') });
  });
});
