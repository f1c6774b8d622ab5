import { describe, expect, it } from 'vitest';
import { CelEvaluationError, checkCel, compileCel, MAX_EXPRESSION_CHARS, toCelActivation } from '../../src/engine/cel.ts';
import { buildBundle, buildCvss, buildVulnerability } from '../helpers/build-bundle.ts';

describe('src/engine/cel', () => {
  describe('checkCel', () => {
    it.each([
      ['a field', 'bundle.os.eol'],
      ['a comprehension', 'bundle.vulnerabilities.exists(v, v.cvss >= 9.0)'],
      ['two comprehensions nested', 'bundle.vulnerabilities.exists(v, v.aliases.exists(a, a.startsWith("GHSA")))'],
      ['a chain is not nesting', 'bundle.vulnerabilities.filter(v, v.hasFix).map(v, v.id).exists(i, i.startsWith("CVE"))'],
      ['size()', "bundle.vulnerabilities.filter(v, v.severity == 'high').size() > 20"],
      ['has()', 'has(bundle.os) && bundle.os.eol'],
    ])('accepts %s', (_name, expression) => {
      const problem = checkCel(expression);

      expect(problem).toBeUndefined();
    });

    it.each([
      ['a syntax error, at its position', 'bundle.os.eol &&', 16],
      ['an unknown variable, at its position', 'bundle.os.eol || image.tag == "x"', 17],
      ['a non-bool result', 'size(bundle.packages)', 0],
      ['a field the bundle does not have, at its place', 'bundle.vulns.size() > 0', 7],
      ['a field a vulnerability does not have, at its place', 'bundle.vulnerabilities.exists(v, v.sev == "high")', 35],
      ['a comparison of the wrong types', 'bundle.vulnerabilities.exists(v, v.cvss == "9")', 33],
      ['a string result', 'bundle.image.ref', 0],
      ['comprehensions nested three deep, at the third', 'bundle.vulnerabilities.exists(v, v.aliases.exists(a, bundle.packages.exists(p, p.name == a)))', 53],
    ])('reports %s', (_name, expression, offset) => {
      const problem = checkCel(expression);

      expect(problem?.offset).toBe(offset);
      expect(problem?.message).toBeTypeOf('string');
    });

    it('refuses an expression over the length limit', () => {
      const expression = `bundle.os.eol${' || bundle.os.eol'.repeat(MAX_EXPRESSION_CHARS / 10)}`;

      const problem = checkCel(expression);

      expect(problem?.message).toContain(`at most ${MAX_EXPRESSION_CHARS}`);
    });
  });

  describe('compileCel', () => {
    it('evaluates one parsed expression against many bundles', () => {
      const compiled = compileCel('bundle.vulnerabilities.exists(v, v.cvss >= 9.0 && v.hasFix)');
      const critical = buildBundle({ vulnerabilities: [buildVulnerability({ cvss: [buildCvss(9.8)], fixedVersion: '1.0.1' })] });
      const unfixed = buildBundle({ vulnerabilities: [buildVulnerability({ cvss: [buildCvss(9.8)] })] });

      expect(compiled.evaluate(critical)).toBe(true);
      expect(compiled.evaluate(unfixed)).toBe(false);
    });

    it.each([
      ['a missing key', 'bundle.os.eol', buildBundle(), 'No such key: os'],
      ['a missing label', 'bundle.config.labels["tier"] == "prod" || bundle.config.labels["x"] == "1"', buildBundle({ config: { labels: { tier: 'dev' } } }), 'No such key'],
    ])('fails closed on %s', (_name, expression, bundle, reason) => {
      const compiled = compileCel(expression);

      const result = compiled.tryEvaluate(toCelActivation(bundle));

      expect(result.ok).toBe(false);
      expect(!result.ok && result.reason).toContain(reason);
      expect(() => compiled.evaluate(bundle)).toThrow(CelEvaluationError);
    });

    it('reports a dyn result that is not a bool', () => {
      const compiled = compileCel('dyn(bundle.image.ref)');

      const result = compiled.tryEvaluate(toCelActivation(buildBundle({ image: 'ghcr.io/acme/api:1' })));

      expect(result).toMatchObject({ ok: false, reason: 'it returned the string "ghcr.io/acme/api:1", not a bool', isOverBudget: false });
    });

    it('throws on an invalid expression', () => {
      expect(() => compileCel('bundle.(')).toThrow(/invalid CEL expression/);
    });
  });

  describe('toCelActivation', () => {
    it('exposes the bundle as plain data', () => {
      const bundle = buildBundle({
        image: 'alpine:3.19',
        os: { family: 'alpine', name: '3.19', eol: false },
        vulnerabilities: [buildVulnerability({ aliases: ['GHSA-x'], cvss: [buildCvss(5, '2.0'), buildCvss(7.5, '4.0')], fixedVersion: '1.0.1' })],
        config: { labels: { tier: 'prod' } },
      });

      const { bundle: cel } = toCelActivation(bundle);

      expect(cel.image).toEqual({ ref: 'docker.io/library/alpine:3.19', registry: 'docker.io', repository: 'library/alpine', tag: '3.19' });
      expect(cel.os).toEqual({ family: 'alpine', name: '3.19', eol: false });
      expect(cel.config).toEqual({ user: '', labels: { tier: 'prod' } });
      expect(cel.vulnerabilities).toEqual([
        { id: 'CVE-2024-0001', aliases: ['GHSA-x'], package: 'openssl', installedVersion: '1.0.0', fixedVersion: '1.0.1', severity: 'high', cvss: 7.5, hasCvss: true, hasFix: true },
      ]);
      expect('baseImage' in cel).toBe(false);
    });
  });
});
