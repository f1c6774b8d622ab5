import { describe, expect, it } from 'vitest';
import { groupReports } from '../../src/bundles/group-reports.ts';
import { attributeVulnerabilities } from '../../src/engine/attribution.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Bundle } from '../../src/model/bundle.ts';
import { readReport } from '../../src/readers/index.ts';
import { buildPolicy, buildPolicySet } from '../helpers/build-bundle.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';

/**
 * Attribution on a real Trivy report (alpine 3.9, scanned 2021-08-25): the baseline is the report
 * as Trivy wrote it; each head is the same report with one change a pull request could make.
 */

type TrivyDoc = { CreatedAt: string; Results: { Type: string; Vulnerabilities?: Record<string, unknown>[]; Packages?: Record<string, unknown>[] }[] };
const NOW = new Date('2026-06-15T12:00:00Z');

function alpine(change: (doc: TrivyDoc) => void = () => {}): Bundle {
  const doc = readFixtureJson<TrivyDoc>('scans/trivy/alpine-39.json');
  change(doc);
  return groupReports([readReport('alpine.json', new TextEncoder().encode(JSON.stringify(doc)))])[0]!;
}

function vulnerabilities(doc: TrivyDoc): Record<string, unknown>[] {
  return doc.Results[0]!.Vulnerabilities!;
}

function addFinding(doc: TrivyDoc, finding: Record<string, unknown>): void {
  vulnerabilities(doc).push({ VulnerabilityID: 'CVE-2024-9999', PkgName: 'busybox', InstalledVersion: '1.29.3-r10', Severity: 'CRITICAL', ...finding });
}

function classesOf(head: Bundle, baseline: Bundle | undefined): string[] {
  const classes = attributeVulnerabilities(head.vulnerabilities, baseline);
  return head.vulnerabilities.map((vulnerability, index) => `${vulnerability.id} ${vulnerability.package} ${classes[index]}`);
}

describe('src/engine/attribution', () => {
  it('reads what attribution needs from the real report: scan time, PURLs, published dates', () => {
    const baseline = alpine();

    expect(baseline.scannedAt).toBe('2021-08-25T12:20:30.000Z');
    expect(baseline.listsAllPackages).toBeUndefined();
    expect(baseline.vulnerabilities[0]).toMatchObject({ purl: 'pkg:apk/alpine/libcrypto1.1@1.1.1b-r1?arch=x86_64&distro=3.9.4', published: '2019-09-10T17:15:00.000Z' });
  });

  it.each([
    { name: 'the same image: every finding inherited', change: () => {}, expected: 'inherited' },
    {
      name: 'musl upgraded, still carrying CVE-2019-14697: inherited (the version is no part of the identity)',
      change: (doc: TrivyDoc) => vulnerabilities(doc).forEach((v) => v.PkgName === 'musl' && (v.InstalledVersion = '1.1.20-r5')),
      expected: 'inherited',
    },
  ])('$name', ({ change, expected }) => {
    const head = alpine(change);

    const classes = attributeVulnerabilities(head.vulnerabilities, alpine());

    expect(new Set(classes)).toEqual(new Set([expected]));
  });

  it.each([
    { name: 'a new package with a vulnerability: introduced', finding: {}, expected: 'introduced' },
    { name: 'the ID is an alias of a baseline finding (GHSA ⇄ CVE): inherited', finding: { VulnerabilityID: 'GHSA-xxxx-musl', VendorIDs: ['CVE-2019-14697'], PkgName: 'musl', InstalledVersion: '1.1.20-r4' }, expected: 'inherited' },
    { name: 'a new CVE in a package at the version the baseline had: newly disclosed', finding: { PkgName: 'libssl1.1', InstalledVersion: '1.1.1b-r1' }, expected: 'newly_disclosed' },
    { name: 'the same package at another version, new CVE: introduced', finding: { PkgName: 'libssl1.1', InstalledVersion: '1.1.1c-r0' }, expected: 'introduced' },
    { name: 'a package the baseline may not have listed, published after its scan: newly disclosed', finding: { PublishedDate: '2024-01-02T00:00:00Z' }, expected: 'newly_disclosed' },
    { name: 'a package the baseline may not have listed, published before its scan: introduced', finding: { PublishedDate: '2020-01-02T00:00:00Z' }, expected: 'introduced' },
  ])('$name', ({ finding, expected }) => {
    const head = alpine((doc) => addFinding(doc, finding));

    const classes = classesOf(head, alpine());

    expect(classes.at(-1)).toBe(`${head.vulnerabilities.at(-1)!.id} ${head.vulnerabilities.at(-1)!.package} ${expected}`);
    expect(classes.slice(0, -1).every((line) => line.endsWith(' inherited'))).toBe(true);
  });

  it('trusts the inventory of a baseline that lists every package: not in it means introduced, whatever the date', () => {
    const baseline = alpine((doc) => (doc.Results[0]!.Packages = [{ Name: 'musl', Version: '1.1.20-r4' }]));
    const head = alpine((doc) => addFinding(doc, { PublishedDate: '2024-01-02T00:00:00Z' }));

    expect(baseline.listsAllPackages).toBe(true);
    expect(classesOf(head, baseline).at(-1)).toBe('CVE-2024-9999 busybox introduced');
  });

  it('counts every finding as introduced without a baseline (fail closed)', () => {
    expect(new Set(attributeVulnerabilities(alpine().vulnerabilities, undefined))).toEqual(new Set(['introduced']));
  });
});

describe('src/engine/evaluate with baselines (findings: introduced)', () => {
  const policySet = buildPolicySet([buildPolicy({ name: 'gate', findings: 'introduced', rules: { severity: 'critical', root_user: 'deny' } })]);

  it('blocks only the critical the change introduced; the inherited ones are warnings in the same verdict', () => {
    const head = alpine((doc) => addFinding(doc, {}));
    const baseline = { bundle: alpine(), ref: { source: 'merge-base' as const, sha: 'a'.repeat(40) } };

    const verdict = evaluate([head], policySet, { now: NOW, baselines: new Map([[head.key, baseline]]) });

    const [image] = verdict.images;
    const [policy] = image!.policies;
    expect(image!.baseline).toEqual({ source: 'merge-base', sha: 'a'.repeat(40) });
    expect(image!.status).toBe('blocked');
    expect(policy!.findings).toBe('introduced');
    expect(policy!.violations.map((v) => [v.id, v.package, v.attribution])).toEqual([['CVE-2024-9999', 'busybox', 'introduced']]);
    // The image config has no USER: root in the baseline too, so the root user is inherited.
    expect(policy!.warnings!.map((v) => [v.rule, v.id, v.package, v.attribution])).toEqual([
      ['severity', 'CVE-2019-14697', 'musl', 'inherited'],
      ['severity', 'CVE-2019-14697', 'musl-utils', 'inherited'],
      ['root_user', 'user', undefined, 'inherited'],
    ]);
  });

  it('warns, never blocks, when the change brings nothing new', () => {
    const head = alpine();

    const verdict = evaluate([head], policySet, { now: NOW, baselines: new Map([[head.key, { bundle: alpine(), ref: { source: 'default-branch' as const, sha: 'b'.repeat(40) } }]]) });

    expect(verdict.allowed).toBe(true);
    expect(verdict.images[0]!.status).toBe('warned');
    expect(verdict.images[0]!.policies[0]).toMatchObject({ passed: true, violations: [] });
  });

  it('blocks every finding when the baseline map lacks the image, and says there was none', () => {
    const head = alpine();

    const verdict = evaluate([head], policySet, { now: NOW, baselines: new Map() });

    expect(verdict.images[0]!.baseline).toEqual({ source: 'none' });
    expect(verdict.images[0]!.policies[0]!.violations.map((v) => v.attribution)).toEqual(['introduced', 'introduced', 'introduced']);
    expect(verdict.images[0]!.status).toBe('blocked');
  });

  it('keeps every finding blocking under findings: all, each with its attribution', () => {
    const head = alpine((doc) => addFinding(doc, {}));
    const all = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'critical' } })]);

    const verdict = evaluate([head], all, { now: NOW, baselines: new Map([[head.key, { bundle: alpine(), ref: { source: 'reports' as const } }]]) });

    const [policy] = verdict.images[0]!.policies;
    expect(policy!.findings).toBeUndefined();
    expect(policy!.warnings).toBeUndefined();
    expect(policy!.violations.map((v) => `${v.package} ${v.attribution}`).sort()).toEqual(['busybox introduced', 'musl inherited', 'musl-utils inherited']);
  });
});
