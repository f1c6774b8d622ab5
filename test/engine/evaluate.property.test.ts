import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { evaluate, type EvaluationContext } from '../../src/engine/evaluate.ts';
import type { Bundle } from '../../src/model/bundle.ts';
import type { Check, LicenseFinding, Malware, OvalResult, Secret, Vulnerability } from '../../src/model/report.ts';
import { SEVERITIES } from '../../src/model/severity.ts';
import type { LoadedException, LoadedPolicy, Rules, Scope } from '../../src/policy/schema.ts';
import { buildBundle, buildPolicySet } from '../helpers/build-bundle.ts';

/**
 * Monotonicity of the gate, over bundles and policies drawn from small vocabularies (so that IDs,
 * packages and globs collide often). Custom rules are generated only in monotone forms (`exists`):
 * a CEL rule such as `size(bundle.vulnerabilities) < 3` can of course pass again when a finding is added.
 * Vulnerable packages and required packages come from separate names: a vulnerability is evidence that
 * its package is installed, so it can satisfy `packages.require`, as it should.
 */

const OWNERS = ['.github/image-assurance.yml', 'org:.github/image-assurance.yml'];
const IDS = ['CVE-1', 'CVE-2', 'GHSA-1', 'aws-access-key-id', 'DS002', 'AVD-DS-0002', 'oval:x:def:1', 'GPL-3.0', 'openssl', 'no-eol', 'user', 'base-image', 'Eicar'];
const VULNERABLE_PACKAGES = ['openssl', 'log4j-core', 'busybox'];
const OTHER_PACKAGES = ['ca-certificates', 'tzdata'];
const VERSIONS = ['1.0', '2.14.1', '2.17.1', '1.36.1-r1'];
const severity = fc.constantFrom('unknown' as const, ...SEVERITIES);
const threshold = fc.constantFrom(...SEVERITIES);
const NOW = new Date('2026-06-15T12:00:00Z');

const vulnerability: fc.Arbitrary<Vulnerability> = fc.record({
  id: fc.constantFrom('CVE-1', 'CVE-2', 'CVE-3'),
  aliases: fc.subarray(['GHSA-1', 'GHSA-2']),
  package: fc.constantFrom(...VULNERABLE_PACKAGES),
  packageType: fc.constant('apk'),
  installedVersion: fc.constantFrom(...VERSIONS),
  fixedVersion: fc.option(fc.constantFrom('2.17.1', '3.0'), { nil: undefined }),
  severity,
  cvss: fc.array(fc.record({ version: fc.constantFrom('2.0', '3.1', '4.0'), score: fc.constantFrom(0, 4.3, 7.5, 9, 9.8, 10), source: fc.constant('nvd') }), { maxLength: 3 }),
});
const secret: fc.Arbitrary<Secret> = fc.record({ ruleId: fc.constantFrom('aws-access-key-id', 'github-pat'), severity, title: fc.constant('a secret'), target: fc.constantFrom('/a', '/b') });
const check: fc.Arbitrary<Check> = fc.record({
  id: fc.constantFrom('DS002', 'CIS-DI-0001'),
  altIds: fc.subarray(['AVD-DS-0002']),
  title: fc.constant('a check'),
  severity,
  status: fc.constantFrom('fail' as const, 'pass' as const, 'skip' as const),
  tool: fc.constant('trivy'),
});
const license: fc.Arbitrary<LicenseFinding> = fc.record({ license: fc.constantFrom('GPL-3.0', 'MIT', 'AGPL-3.0-only'), package: fc.option(fc.constantFrom(...VULNERABLE_PACKAGES), { nil: undefined }) });
const malware: fc.Arbitrary<Malware> = fc.record({ signature: fc.constantFrom('Eicar', 'Mirai'), path: fc.constantFrom('/x', '/y') });
const oval: fc.Arbitrary<OvalResult> = fc.record({
  id: fc.constantFrom('oval:x:def:1', 'oval:x:def:2'),
  class: fc.constantFrom('vulnerability' as const, 'patch' as const, 'compliance' as const, 'inventory' as const, 'miscellaneous' as const),
  result: fc.constantFrom('true', 'false', 'error'),
  refs: fc.constant([]),
});

const bundle: fc.Arbitrary<Bundle> = fc
  .record({
    image: fc.constantFrom('alpine:3.19', 'ghcr.io/acme/api:1.0', 'ghcr.io/acme/web', 'quay.io/x/y:v2'),
    vulnerabilities: fc.array(vulnerability, { maxLength: 5 }),
    packages: fc.array(
      fc.record({ name: fc.constantFrom(...VULNERABLE_PACKAGES, ...OTHER_PACKAGES), version: fc.constantFrom(...VERSIONS), type: fc.constant('apk'), licenses: fc.subarray(['MIT', 'GPL-3.0']) }),
      { maxLength: 4 },
    ),
    secrets: fc.array(secret, { maxLength: 2 }),
    checks: fc.array(check, { maxLength: 3 }),
    licenses: fc.array(license, { maxLength: 2 }),
    malware: fc.array(malware, { maxLength: 1 }),
    oval: fc.array(oval, { maxLength: 2 }),
    os: fc.option(fc.record({ family: fc.constant('debian'), name: fc.constant('9'), eol: fc.boolean() }), { nil: undefined }),
    config: fc.option(fc.record({ user: fc.option(fc.constantFrom('', '0', 'root', '0:0', '1000'), { nil: undefined }), labels: fc.dictionary(fc.constantFrom('tier'), fc.constantFrom('prod', 'dev')) }), { nil: undefined }),
    baseImage: fc.option(fc.record({ name: fc.constantFrom('alpine:3.19', 'debian:12'), source: fc.constant('label' as const) }), { nil: undefined }),
  })
  .map(({ image, ...rest }) => buildBundle({ image, ...rest }));

const allRules = fc.record(
  {
    severity: threshold,
    fixable_severity: threshold,
    max_cvss: fc.constantFrom(0, 7, 9, 10),
    cves: fc.subarray(['CVE-1', 'GHSA-2'], { minLength: 1 }),
    packages: fc.record({ deny: fc.subarray(['busybox', 'log4j-*', { name: 'openssl', version: '<2.0' }], { minLength: 1 }), require: fc.subarray(OTHER_PACKAGES, { minLength: 1 }) }, { requiredKeys: [] }),
    root_user: fc.constantFrom('deny' as const, 'allow' as const),
    base_images: fc.subarray(['alpine:3.*', 'gcr.io/distroless/**'], { minLength: 1 }),
    secrets: fc.constantFrom('deny' as const, 'allow' as const),
    malware: fc.constantFrom('deny' as const, 'allow' as const),
    misconfigurations: threshold,
    compliance: fc.subarray(['CIS-DI-0001', 'avd-ds-0002'], { minLength: 1 }),
    licenses: fc.subarray(['GPL-*', 'AGPL-*'], { minLength: 1 }),
    oval: fc.constantFrom('deny' as const, 'allow' as const),
    custom: fc.subarray(
      [
        { name: 'no-eol', when: 'has(bundle.os) && bundle.os.eol', message: 'EOL' },
        { name: 'fixable-critical', when: "bundle.vulnerabilities.exists(v, v.hasFix && v.severity == 'critical')", message: 'fix it' },
      ],
      { minLength: 1 },
    ),
  },
  { requiredKeys: [] },
);
/** One to three rules per policy, so that an image often fails for a single reason. */
const rules: fc.Arbitrary<Rules> = fc
  .tuple(allRules, fc.subarray(['severity', 'fixable_severity', 'max_cvss', 'cves', 'packages', 'root_user', 'base_images', 'secrets', 'malware', 'misconfigurations', 'compliance', 'licenses', 'oval', 'custom'] as const, { minLength: 1, maxLength: 3 }))
  .map(([all, keys]) => Object.fromEntries(keys.filter((key) => all[key] !== undefined).map((key) => [key, all[key]])) as Rules);

const scope: fc.Arbitrary<Scope | undefined> = fc.option(
  fc.record({ images: fc.subarray(['ghcr.io/acme/*', 'alpine', '**'], { minLength: 1 }), tags: fc.subarray(['1.*', 'v*'], { minLength: 1 }), labels: fc.constant({ tier: 'prod' }), branches: fc.constant(['main']) }, { requiredKeys: [] }),
  { nil: undefined },
);

function policy(name: string, enforcement: fc.Arbitrary<'block' | 'warn'> = fc.constantFrom('block', 'warn')): fc.Arbitrary<LoadedPolicy> {
  return fc.record({ name: fc.constant(name), enforcement, scope, rules, owner: fc.constantFrom(...OWNERS) }).map((p) => ({ ...p, source: p.owner, origin: 'repo' as const, ...(p.scope === undefined ? { scope: undefined } : {}) }));
}
const policies = fc.array(fc.constantFrom('a', 'b', 'c'), { maxLength: 3 }).chain((names) => fc.tuple(...names.map((name, i) => policy(`${name}${i}`))));

function exception(expires: fc.Arbitrary<string>): fc.Arbitrary<LoadedException> {
  return fc
    .record(
      {
        id: fc.constantFrom(...IDS),
        policies: fc.subarray(['a0', 'b1', 'c2'], { minLength: 1 }),
        images: fc.subarray(['ghcr.io/acme/*', 'alpine'], { minLength: 1 }),
        package: fc.constantFrom(...VULNERABLE_PACKAGES),
        owner: fc.constantFrom(...OWNERS),
        expires,
      },
      { requiredKeys: ['id', 'owner', 'expires'] },
    )
    .map((e) => ({ ...e, reason: 'r', source: e.owner }));
}
const exceptions = fc.array(exception(fc.constantFrom('2020-01-01', '2026-06-15', '2099-12-31')), { maxLength: 3 });
const context: fc.Arbitrary<EvaluationContext> = fc.record({ now: fc.constant(NOW), branch: fc.constantFrom('main', 'dev') });
const unscopedImages = fc.constantFrom('allow' as const, 'block' as const);

function isBlocked(b: Bundle, p: LoadedPolicy[], e: LoadedException[], c: EvaluationContext, unscoped_images: 'allow' | 'block'): boolean {
  return !evaluate([b], buildPolicySet(p, e, { unscoped_images }), c).allowed;
}

const FINDING_KINDS = ['vulnerabilities', 'secrets', 'checks', 'licenses', 'malware', 'oval'] as const;
const finding = fc.oneof(
  vulnerability.map((value) => ({ kind: 'vulnerabilities' as const, value })),
  secret.map((value) => ({ kind: 'secrets' as const, value })),
  check.map((value) => ({ kind: 'checks' as const, value })),
  license.map((value) => ({ kind: 'licenses' as const, value })),
  malware.map((value) => ({ kind: 'malware' as const, value })),
  oval.map((value) => ({ kind: 'oval' as const, value })),
);

describe('src/engine/evaluate (properties)', () => {
  it('adding a finding never turns blocked into allowed', () => {
    fc.assert(
      fc.property(bundle, policies, exceptions, context, unscopedImages, finding, (b, p, e, c, u, added) => {
        const before = isBlocked(b, p, e, c, u);
        const kind: (typeof FINDING_KINDS)[number] = added.kind;
        const withFinding: Bundle = { ...b, [kind]: [...(b[kind] as unknown[]), added.value] };

        const after = isBlocked(withFinding, p, e, c, u);

        expect(before && !after).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });

  it('adding a block policy never allows more', () => {
    fc.assert(
      fc.property(fc.array(bundle, { minLength: 1, maxLength: 3 }), policies, policy('z9', fc.constant('block')), exceptions, context, (bundles, p, added, e, c) => {
        // With unscoped_images: block, a policy that scopes an image (and passes) is meant to let it through.
        const before = evaluate(bundles, buildPolicySet(p, e), c);

        const after = evaluate(bundles, buildPolicySet([...p, added], e), c);

        after.images.forEach((image, i) => expect(!before.images[i]!.allowed && image.allowed).toBe(false));
      }),
      { numRuns: 1000 },
    );
  });

  it('an unexpired exception never blocks more', () => {
    fc.assert(
      fc.property(bundle, policies, exceptions, context, unscopedImages, exception(fc.constantFrom('2026-06-15', '2099-12-31')), (b, p, e, c, u, added) => {
        const before = isBlocked(b, p, e, c, u);

        const after = isBlocked(b, p, [...e, added], c, u);

        expect(!before && after).toBe(false);
      }),
      { numRuns: 1500 },
    );
  });
});
