import type { Bundle } from '../../src/model/bundle.ts';
import { parseImageRef } from '../../src/model/image-ref.ts';
import type { Check, Cvss, LicenseFinding, Malware, OvalResult, Package, Secret, Vulnerability } from '../../src/model/report.ts';
import { emptyFindings } from '../../src/readers/fields.ts';
import { type LoadedException, type LoadedPolicy, type PolicySet, type ResolvedSettings, defaultSettings } from '../../src/policy/schema.ts';

/**
 * Hand-made inputs for tests. Every builder takes the fields you care about and fills the rest with
 * dull defaults, so a test shows only what it is about:
 *
 *   const bundle = buildBundle({ image: 'ghcr.io/acme/api:1.0', vulnerabilities: [buildVulnerability({ severity: 'critical' })] });
 *   const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [buildException({ id: 'CVE-2024-0001' })]);
 *   const verdict = evaluate([bundle], policySet, { now: new Date('2026-01-01T00:00:00Z') });
 */

/** Overrides for {@link buildBundle}: any Bundle field, plus `image` as a reference string. */
export type BundleOverrides = Partial<Omit<Bundle, 'image'>> & { image?: string | Bundle['image'] };

/** A bundle for `docker.io/library/app:1.0` with no findings and a non-root user (`1000`) unless overridden. */
export function buildBundle(overrides: BundleOverrides = {}): Bundle {
  const { image: imageOverride, ...rest } = overrides;
  const image = typeof imageOverride === 'string' ? parseImageRef(imageOverride) : (imageOverride ?? parseImageRef('app:1.0'));
  return {
    key: image.digest ?? image.ref,
    image,
    ...emptyFindings(),
    config: { user: '1000', labels: {} },
    reports: [{ path: 'report.json', format: 'trivy-json', tool: 'trivy' }],
    ...rest,
  };
}

/** `CVE-2024-0001` in `openssl 1.0.0`, severity `high`, no fix, no CVSS unless overridden. */
export function buildVulnerability(overrides: Partial<Vulnerability> = {}): Vulnerability {
  return {
    id: 'CVE-2024-0001',
    aliases: [],
    package: 'openssl',
    packageType: 'apk',
    installedVersion: '1.0.0',
    severity: 'high',
    cvss: [],
    ...overrides,
  };
}

/** A CVSS score: `buildCvss(9.8)` is v3.1 from nvd; `buildCvss(7.5, '2.0')` a v2 score. */
export function buildCvss(score: number, version = '3.1', source = 'nvd'): Cvss {
  return { version, score, source };
}

export function buildPackage(overrides: Partial<Package> = {}): Package {
  return { name: 'openssl', version: '1.0.0', type: 'apk', licenses: [], ...overrides };
}

export function buildSecret(overrides: Partial<Secret> = {}): Secret {
  return { ruleId: 'aws-access-key-id', severity: 'critical', title: 'AWS Access Key ID', target: '/app/.env', line: 3, ...overrides };
}

/** A failed Trivy check `DS002` of severity `high` unless overridden. */
export function buildCheck(overrides: Partial<Check> = {}): Check {
  return { id: 'DS002', altIds: [], title: 'Image user should not be root', severity: 'high', status: 'fail', tool: 'trivy', ...overrides };
}

export function buildLicense(overrides: Partial<LicenseFinding> = {}): LicenseFinding {
  return { license: 'MIT', ...overrides };
}

export function buildMalware(overrides: Partial<Malware> = {}): Malware {
  return { signature: 'Eicar-Signature', path: '/tmp/eicar.com', ...overrides };
}

/** A `vulnerability` definition whose result is `true` (a violation) unless overridden. */
export function buildOval(overrides: Partial<OvalResult> = {}): OvalResult {
  return { id: 'oval:org.example:def:1', class: 'vulnerability', result: 'true', refs: [], ...overrides };
}

/** Policy overrides; `rules` and `scope` as in the policy file. Defaults: name `test`, `block`, no scope, owner/source `.github/image-assurance.yml`. */
export function buildPolicy(overrides: Partial<LoadedPolicy> = {}): LoadedPolicy {
  return {
    name: 'test',
    enforcement: 'block',
    rules: {},
    source: '.github/image-assurance.yml',
    owner: '.github/image-assurance.yml',
    origin: 'repo',
    ...overrides,
  };
}

/** An exception for `CVE-2024-0001` expiring `2099-12-31`, owned by `.github/image-assurance.yml` unless overridden. */
export function buildException(overrides: Partial<LoadedException> = {}): LoadedException {
  return {
    id: 'CVE-2024-0001',
    reason: 'not reachable',
    expires: '2099-12-31',
    source: '.github/image-assurance.yml',
    owner: '.github/image-assurance.yml',
    ...overrides,
  };
}

/** A policy set with the default settings (overridable) and `sources` taken from the policies' and exceptions' sources. */
export function buildPolicySet(policies: LoadedPolicy[], exceptions: LoadedException[] = [], settings: Partial<ResolvedSettings> = {}): PolicySet {
  const sources = [...new Set([...policies.map((p) => p.source), ...exceptions.map((e) => e.source)])];
  return {
    settings: { ...defaultSettings(), ...settings },
    vex: [],
    policies,
    exceptions,
    sources,
  };
}
