import { describe, expect, it } from 'vitest';
import { findLoosenings } from '../../src/policy/loosening.ts';
import { buildException, buildPolicy, buildPolicySet } from '../helpers/build-bundle.ts';

describe('src/policy/loosening', () => {
  it.each([
    ['a policy removed', [buildPolicy({ name: 'gate' })], [], 'policy-removed', 'policy gate (block, from .github/image-assurance.yml) is removed'],
    ['block → warn', [buildPolicy({ name: 'gate' })], [buildPolicy({ name: 'gate', enforcement: 'warn' })], 'enforcement-weakened', 'policy gate: enforcement block → warn'],
    ['block → shadow', [buildPolicy({ name: 'gate' })], [buildPolicy({ name: 'gate', enforcement: 'shadow' })], 'enforcement-weakened', 'policy gate: enforcement block → shadow'],
    ['enforce_from added', [buildPolicy({ name: 'gate' })], [buildPolicy({ name: 'gate', enforce_from: '2027-01-01' })], 'enforcement-weakened', 'policy gate: blocks only from 2027-01-01'],
    ['a threshold raised', [buildPolicy({ name: 'gate', rules: { severity: 'high' } })], [buildPolicy({ name: 'gate', rules: { severity: 'critical' } })], 'rule-loosened', 'policy gate: severity raised high → critical'],
    ['max_cvss raised', [buildPolicy({ name: 'gate', rules: { max_cvss: 7 } })], [buildPolicy({ name: 'gate', rules: { max_cvss: 9 } })], 'rule-loosened', 'policy gate: max_cvss raised 7 → 9'],
    ['a rule dropped', [buildPolicy({ name: 'gate', rules: { root_user: 'deny' } })], [buildPolicy({ name: 'gate', rules: {} })], 'rule-loosened', 'policy gate: root_user no longer denied'],
    ['a denied CVE dropped', [buildPolicy({ name: 'gate', rules: { cves: ['CVE-1', 'CVE-2'] } })], [buildPolicy({ name: 'gate', rules: { cves: ['CVE-1'] } })], 'rule-loosened', 'policy gate: cves no longer lists CVE-2'],
    ['a base image approved', [buildPolicy({ name: 'gate', rules: { base_images: ['alpine:*'] } })], [buildPolicy({ name: 'gate', rules: { base_images: ['alpine:*', 'ubuntu:*'] } })], 'rule-loosened', 'policy gate: base_images approves ubuntu:*'],
    ['a scope narrowed', [buildPolicy({ name: 'gate', scope: { images: ['ghcr.io/acme/*'] } })], [buildPolicy({ name: 'gate', scope: { images: ['ghcr.io/acme/*'], branches: ['main'] } })], 'scope-narrowed', 'policy gate: scope.branches added (main)'],
  ] as const)('flags %s', (_name, base, proposed, kind, message) => {
    expect(findLoosenings(buildPolicySet([...base]), buildPolicySet([...proposed]))).toEqual([expect.objectContaining({ kind, message })]);
  });

  it('flags a new exception and a longer one', () => {
    const old = buildException({ id: 'CVE-1', expires: '2027-01-01' });
    const base = buildPolicySet([buildPolicy({ name: 'gate' })], [old]);
    const proposed = buildPolicySet([buildPolicy({ name: 'gate' })], [{ ...old, expires: '2027-06-01' }, buildException({ id: 'CVE-2', expires: '2027-01-01' })]);

    expect(findLoosenings(base, proposed).map((loosening) => loosening.message)).toEqual([
      'exception CVE-1 extended 2027-01-01 → 2027-06-01',
      expect.stringMatching(/^new exception CVE-2 until 2027-01-01/),
    ]);
  });

  it('flags a setting made more lenient', () => {
    const base = buildPolicySet([], [], { forks: 'untrusted', unscoped_images: 'block' });
    const proposed = buildPolicySet([], [], { forks: 'trusted', unscoped_images: 'block' });

    expect(findLoosenings(base, proposed)).toEqual([{ kind: 'setting-loosened', message: 'settings.forks: untrusted → trusted' }]);
  });

  it('lists nothing for a change that only tightens', () => {
    const base = buildPolicySet([buildPolicy({ name: 'gate', enforcement: 'warn', rules: { severity: 'critical' } })]);
    const proposed = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'high', root_user: 'deny' } }), buildPolicy({ name: 'more' })]);

    expect(findLoosenings(base, proposed)).toEqual([]);
  });
});
