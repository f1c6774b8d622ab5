import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { generateTrivyReport } from '../../../bench/generate-trivy.ts';
import { groupReports } from '../../../src/bundles/group-reports.ts';
import { evaluate } from '../../../src/engine/evaluate.ts';
import { LazyVulnerabilityHit, defineViolationsOnRead } from '../../../src/engine/fast/lazy-violations.ts';
import type { Bundle } from '../../../src/model/bundle.ts';
import type { Verdict, Violation } from '../../../src/model/verdict.ts';
import { loadPolicySet } from '../../../src/policy/load.ts';
import { createResolver, loadPreset } from '../../../src/policy/load-presets.ts';
import type { PolicySet } from '../../../src/policy/schema.ts';
import { readReport } from '../../../src/readers/index.ts';
import { readFixture } from '../../helpers/fixtures.ts';

const NOW = new Date('2026-11-26T00:00:00Z');
const IMAGE = 'ghcr.io/acme/api:1.0';
const REPORTS = ['scans/trivy/juice-shop-v10.2.0.json', 'scans/grype/many_vulns2.json', 'scans/trivy/ubi-7-comprehensive.json', 'scans/trivy/alpine-39.json'];

/** bench/policies.yml: ten policies that use every rule, exceptions included; and the production preset. */
async function policySets(): Promise<[string, PolicySet][]> {
  const bench = await loadPolicySet([{ file: 'bench/policies.yml', text: readFileSync('bench/policies.yml', 'utf8'), origin: 'cli' }], createResolver({}));
  const production = await loadPolicySet([loadPreset('production')!], createResolver({}));
  return [
    ['bench', bench],
    ['production', production],
  ];
}

function bundlesOf(fixture: string): Bundle[] {
  return groupReports([readReport(fixture, readFixture(fixture))], { image: IMAGE });
}

/** Reads every violation list back to front, last element first, each policy's before the previous one's. */
function readBackwards(verdict: Verdict): void {
  for (const image of [...verdict.images].reverse()) {
    for (const policy of [...image.policies].reverse()) {
      const violations = policy.violations;
      for (let i = violations.length - 1; i >= 0; i--) expect(violations[i]!.message).toBeTypeOf('string');
      for (const warning of policy.warnings ?? []) expect(warning.id).toBeTypeOf('string');
    }
  }
}

describe('src/engine/fast/lazy-violations', () => {
  it.each(REPORTS)('gives the same JSON verdict for %s whatever order the violations are read in', async (fixture) => {
    for (const [, policySet] of await policySets()) {
      const straight = JSON.stringify(evaluate(bundlesOf(fixture), policySet, { now: NOW }), null, 2);
      const backwards = evaluate(bundlesOf(fixture), policySet, { now: NOW });
      readBackwards(backwards);

      expect(JSON.stringify(backwards, null, 2)).toBe(straight);
    }
  });

  it('builds a vulnerability violation once, and shares it between policies with the same rules', async () => {
    const [, policySet] = (await policySets())[0]!;
    const twice = { ...policySet, policies: [...policySet.policies, { ...policySet.policies[0]!, name: 'critical-vulns-again' }] };
    const verdict = evaluate(bundlesOf('scans/trivy/juice-shop-v10.2.0.json'), twice, { now: NOW });
    const [first, again] = [verdict.images[0]!.policies[0]!, verdict.images[0]!.policies.at(-1)!];

    expect(again.name).toBe('critical-vulns-again');
    expect(first.violations.length).toBeGreaterThan(0);
    expect(first.violations).not.toBe(again.violations);
    first.violations.forEach((violation, i) => expect(again.violations[i]).toBe(violation));
    expect(first.violations[0]).toBe(first.violations[0]);
  });

  it('counts a policy passed or failed without building its violations, and agrees with them when read', async () => {
    const [, policySet] = (await policySets())[0]!;
    const report = readReport('generated.json', Buffer.from(generateTrivyReport({ vulnerabilities: 2000, packages: 400 })));
    const verdict = evaluate(groupReports([report]), policySet, { now: NOW });

    for (const policy of verdict.images[0]!.policies) {
      expect(Object.getOwnPropertyDescriptor(policy, 'violations')!.get).toBeDefined();
      expect(policy.passed).toBe(policy.violations.length === 0);
      expect(Object.getOwnPropertyDescriptor(policy, 'violations')!.value).toBe(policy.violations);
    }
    expect(verdict.allowed).toBe(false);
  });

  it('keeps the verdict a plain object: keys in contract order, writable after reading, cloneable', async () => {
    const [, policySet] = (await policySets())[0]!;
    const verdict = evaluate(bundlesOf('scans/trivy/alpine-39.json'), policySet, { now: NOW });
    const policy = verdict.images[0]!.policies[0]!;

    expect(Object.keys(policy)).toEqual(['name', 'enforcement', 'source', 'passed', 'violations', 'suppressed', 'exceptions']);
    const clone = structuredClone(verdict);
    expect(clone).toEqual(JSON.parse(JSON.stringify(verdict)));
    policy.violations = [];
    expect(policy.violations).toEqual([]);
  });

  it('sets an attribution given before or after the violation is built', () => {
    let builds = 0;
    const build = (index: number): Violation => {
      builds += 1;
      return { rule: 'severity', id: `CVE-2021-${index}`, message: 'm' };
    };
    const before = new LazyVulnerabilityHit(1, build);
    before.attribution = 'inherited';
    const after = new LazyVulnerabilityHit(2, build);

    expect(before.violation).toEqual({ rule: 'severity', id: 'CVE-2021-1', message: 'm', attribution: 'inherited' });
    expect(after.violation.attribution).toBeUndefined();
    after.attribution = 'newly_disclosed';
    expect(after.violation).toEqual({ rule: 'severity', id: 'CVE-2021-2', message: 'm', attribution: 'newly_disclosed' });
    expect(before.violation).toBe(before.violation);
    expect(builds).toBe(2);
  });

  it('fills a list on first read, and an assignment before reading replaces it', () => {
    const hits = [new LazyVulnerabilityHit(1, (index) => ({ rule: 'severity', id: `CVE-${index}`, message: '' }))];
    const read: { violations?: Violation[] } = {};
    const assigned: { violations?: Violation[] } = {};
    defineViolationsOnRead(read, 'violations', hits);
    defineViolationsOnRead(assigned, 'violations', hits);

    assigned.violations = [];

    expect(read.violations).toEqual([{ rule: 'severity', id: 'CVE-1', message: '' }]);
    expect(read.violations![0]).toBe(hits[0]!.violation);
    expect(assigned.violations).toEqual([]);
  });
});
