import { describe, expect, it } from 'vitest';
import { evaluate } from '../../src/engine/evaluate.ts';
import { isExceptionExpired } from '../../src/engine/exceptions.ts';
import type { LoadedException } from '../../src/policy/schema.ts';
import { buildBundle, buildException, buildPolicy, buildPolicySet, buildVulnerability } from '../helpers/build-bundle.ts';

const bundle = buildBundle({ image: 'ghcr.io/acme/api:1.0', vulnerabilities: [buildVulnerability({ severity: 'critical' })] });

function evaluateWith(exceptions: LoadedException[], now = new Date('2026-06-15T12:00:00Z')) {
  const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], exceptions);
  return evaluate([bundle], policySet, { now }).images[0]!.policies[0]!;
}

describe('src/engine/exceptions', () => {
  it.each([
    ['expired yesterday', '2026-06-14', true],
    ['expires today (active until the end of the day, UTC)', '2026-06-15', false],
    ['expires tomorrow', '2026-06-16', false],
  ])('an exception that %s', (_name, expires, isExpired) => {
    const policy = evaluateWith([buildException({ expires })]);

    expect(policy.passed).toBe(!isExpired);
    expect(policy.exceptions).toEqual([{ id: 'CVE-2024-0001', expires, expired: isExpired, reason: 'not reachable', source: '.github/image-assurance.yml', suppressed: isExpired ? 0 : 1 }]);
    expect(policy.suppressed).toHaveLength(isExpired ? 0 : 1);
  });

  it.each([
    ['the last millisecond of the day', '2026-06-15T23:59:59.999Z', false],
    ['the first millisecond of the next day', '2026-06-16T00:00:00.000Z', true],
  ])('at %s', (_name, now, isExpired) => {
    expect(isExceptionExpired('2026-06-15', new Date(now))).toBe(isExpired);
  });

  it('keeps a suppressed violation with the exception ID', () => {
    const policy = evaluateWith([buildException()]);

    expect(policy.violations).toEqual([]);
    expect(policy.suppressed).toEqual([expect.objectContaining({ rule: 'severity', id: 'CVE-2024-0001', exception: 'CVE-2024-0001' })]);
  });

  it.each<[string, Partial<LoadedException>, boolean]>([
    ['same owner', {}, true],
    ["another owner (a repository never waives the organization's policy)", { owner: 'org:.github/image-assurance.yml' }, false],
    ['named policy', { policies: ['test'] }, true],
    ['other policy', { policies: ['other'] }, false],
    ['image glob', { images: ['ghcr.io/acme/*'] }, true],
    ['image glob with a tag', { images: ['ghcr.io/acme/api:1.*'] }, true],
    ['other image', { images: ['ghcr.io/acme/web'] }, false],
    ['same package', { package: 'openssl' }, true],
    ['other package', { package: 'libssl' }, false],
    ['package names compare case-insensitively', { package: 'OpenSSL' }, true],
    ['ID case-insensitive', { id: 'cve-2024-0001' }, true],
    ['other ID', { id: 'CVE-2024-9999' }, false],
  ])('applies with %s: %s', (_name, overrides, applies) => {
    const policy = evaluateWith([buildException(overrides)]);

    expect(policy.passed).toBe(applies);
    expect(policy.exceptions).toHaveLength(applies ? 1 : 0);
  });

  it("waives Trivy's Maven groupId:artifactId by the artifactId in package", () => {
    const maven = buildBundle({ vulnerabilities: [buildVulnerability({ id: 'CVE-2021-44228', package: 'org.apache.logging.log4j:log4j-core', severity: 'critical' })] });
    const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [buildException({ id: 'CVE-2021-44228', package: 'log4j-core' })]);

    const policy = evaluate([maven], policySet, { now: new Date('2026-06-15T12:00:00Z') }).images[0]!.policies[0]!;

    expect(policy.passed).toBe(true);
  });

  it('credits the first active exception and lists every one that matched', () => {
    const expired = buildException({ expires: '2020-01-01', reason: 'old' });
    const active = buildException({ reason: 'new' });
    const second = buildException({ package: 'openssl', reason: 'also' });

    const policy = evaluateWith([expired, active, second]);

    expect(policy.exceptions.map((e) => [e.reason, e.expired, e.suppressed])).toEqual([
      ['old', true, 0],
      ['new', false, 1],
      ['also', false, 0],
    ]);
  });

  it('does not list an exception that matched nothing', () => {
    const policy = evaluateWith([buildException({ id: 'CVE-1999-0001' })]);

    expect(policy.exceptions).toEqual([]);
  });

  it.each([
    ['an alias', { id: 'CVE-2021-44228', aliases: ['GHSA-jfh8-c2jp-5v3q'] }, 'ghsa-JFH8-c2jp-5v3q'],
    ['an ID in odd case in the report', { id: 'cve-2021-44228', aliases: [] }, 'CVE-2021-44228'],
    ['a non-CVE ID', { id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] }, 'GHSA-JFH8-C2JP-5V3Q'],
    ['a CVE alias of a non-CVE ID', { id: 'GHSA-jfh8-c2jp-5v3q', aliases: ['CVE-2021-44228'] }, 'cve-2021-44228'],
  ])('matches %s case-insensitively', (_name, ids, exceptionId) => {
    const withIds = buildBundle({ vulnerabilities: [buildVulnerability({ ...ids, severity: 'critical' })] });
    const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [buildException({ id: exceptionId })]);

    const policy = evaluate([withIds], policySet, { now: new Date('2026-06-15T12:00:00Z') }).images[0]!.policies[0]!;

    expect(policy.passed).toBe(true);
  });

  it('does not confuse CVE IDs that differ only in padding', () => {
    const padded = buildBundle({ vulnerabilities: [buildVulnerability({ id: 'CVE-2021-0001', severity: 'critical' })] });
    const policySet = buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], [buildException({ id: 'CVE-2021-00001' })]);

    const policy = evaluate([padded], policySet, { now: new Date('2026-06-15T12:00:00Z') }).images[0]!.policies[0]!;

    expect(policy.passed).toBe(false);
  });
});
