import { describe, expect, it } from 'vitest';
import { buildBundle, buildException, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/custom', () => {
  it.each([
    ['true is a violation', 'bundle.os.eol', true],
    ['false is not', '!bundle.os.eol', false],
    ['over the vulnerabilities', "bundle.vulnerabilities.filter(v, v.severity == 'high').size() > 1", true],
    ['over the image', 'bundle.image.registry == "ghcr.io"', false],
  ])('%s', (_name, when, violates) => {
    const bundle = buildBundle({ os: { family: 'debian', name: '9', eol: true }, vulnerabilities: [buildVulnerability(), buildVulnerability({ id: 'CVE-2' })] });

    const verdict = evaluateRules(bundle, { custom: [{ name: 'rule', when, message: 'The rule says no' }] });

    expect(verdict.passed).toBe(!violates);
  });

  it("uses the rule's name as ID and its message", () => {
    const bundle = buildBundle({ os: { family: 'debian', name: '9', eol: true } });

    const { violations } = evaluateRules(bundle, { custom: [{ name: 'no-eol-os', when: 'bundle.os.eol', message: 'The base OS is end of life' }] });

    expect(violations).toEqual([{ rule: 'custom', id: 'no-eol-os', message: 'The base OS is end of life', attribution: 'introduced' }]);
  });

  it.each([
    ['an evaluation error', 'bundle.os.eol', 'No such key: os'],
    ['a non-bool result', 'dyn(bundle.image.ref)', 'not a bool'],
    ['a string result, refused when compiled', 'bundle.image.ref', 'must return a bool'],
    ['a field the bundle does not have, refused when compiled', 'bundle.vulns.size() > 0', 'No such key: vulns'],
    ['an expression that does not compile', 'bundle.(', 'Expected IDENTIFIER'],
  ])('fails closed on %s, saying why', (_name, when, reason) => {
    const bundle = buildBundle();

    const [violation] = evaluateRules(bundle, { custom: [{ name: 'rule', when, message: 'The rule says no' }] }).violations;

    expect(violation?.message).toMatch(/^The rule says no \(custom rule 'rule' could not be evaluated, so it counts as violated: /);
    expect(violation?.message).toContain(reason);
  });

  // Not a timed test: the budget counts evaluation steps, so this stops at the same place on any machine.
  it('stops a nested exists over 20,000 vulnerabilities at the budget: violated, naming the rule and the budget', { timeout: 120_000 }, () => {
    const vulnerabilities = Array.from({ length: 20_000 }, (_, i) => buildVulnerability({ id: `CVE-2024-${i}`, package: `p${i}` }));
    const when = 'bundle.vulnerabilities.exists(v, bundle.vulnerabilities.exists(w, w.id == v.id && w.package != v.package))';

    const verdict = evaluateRules(buildBundle({ vulnerabilities }), { custom: [{ name: 'quadratic', when, message: 'Duplicated IDs' }] });

    expect(verdict.passed).toBe(false);
    expect(verdict.violations).toEqual([
      {
        rule: 'custom',
        id: 'quadratic',
        message: "Duplicated IDs (custom rule 'quadratic' could not be evaluated, so it counts as violated: it went over the evaluation budget of 10,000,000 steps)",
        attribution: 'introduced',
      },
    ]);
  });

  it('is waived by the rule name', () => {
    const bundle = buildBundle({ os: { family: 'debian', name: '9', eol: true } });

    const verdict = evaluateRules(bundle, { custom: [{ name: 'no-eol-os', when: 'bundle.os.eol', message: 'EOL' }] }, [buildException({ id: 'no-eol-os' })]);

    expect(verdict.passed).toBe(true);
  });
});
