import { describe, expect, it } from 'vitest';
import type { PackageMatcher } from '../../../src/policy/schema.ts';
import { buildBundle, buildException, buildPackage, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/packages-deny', () => {
  it.each<[string, PackageMatcher, string, string, boolean, string?]>([
    ['by name', 'telnet', 'telnet', '0.17', true],
    ['names are case-sensitive', 'Telnet', 'telnet', '0.17', false],
    ['by glob', 'log4j-*', 'log4j-core', '2.14.1', true],
    ['glob does not match', 'log4j-api', 'log4j-core', '2.14.1', false],
    ['inside the range', { name: 'log4j-core', version: '<2.17.1' }, 'log4j-core', '2.14.1', true],
    ['exactly at the range bound', { name: 'log4j-core', version: '<2.17.1' }, 'log4j-core', '2.17.1', false],
    ['a bare version is equality', { name: 'log4j-core', version: '2.14.1' }, 'log4j-core', '2.14.1', true],
    ['an AND range', { name: 'openssl', version: '>=1.1, <1.1.1w' }, 'openssl', '1.1.1k', true],
    ['an OR range', { name: 'openssl', version: '<1.0 || >=3.0, <3.0.7' }, 'openssl', '3.0.2', true],
    ['a debian version', { name: 'openssl', version: '<1.1.1n-0+deb11u5' }, 'openssl', '1.1.1n-0+deb11u4', true, 'debian'],
    ['an alpine revision', { name: 'busybox', version: '<1.36.1-r2' }, 'busybox', '1.36.1-r1', true, 'alpine'],
    ['an invalid range denies every version (fail closed)', { name: 'openssl', version: '=>1' }, 'openssl', '3.0.0', true],
    ['a package revision of the bound is not below it', { name: 'log4j-core', version: '<2.17.1' }, 'log4j-core', '2.17.1-r0', false],
    ['versions compare numerically', { name: 'jackson', version: '<2.10.0' }, 'jackson', '2.9.0', true],
    ['a Debian epoch beats the upstream version', { name: 'tar', version: '<9.0' }, 'tar', '1:2.0', false, 'debian'],
    ['a Maven groupId:artifactId by its artifactId (Trivy)', { name: 'log4j-core', version: '<2.17.1' }, 'org.apache.logging.log4j:log4j-core', '2.14.1', true],
    ['a Maven groupId:artifactId by a groupId glob', 'org.apache.logging.log4j:*', 'org.apache.logging.log4j:log4j-core', '2.14.1', true],
    ['a Maven artifactId glob does not match another artifact', 'log4j-api', 'org.apache.logging.log4j:log4j-core', '2.14.1', false],
  ])('%s', (_name, matcher, name, version, violates, type = 'jar') => {
    const bundle = buildBundle({ packages: [buildPackage({ name, version, type })] });

    const verdict = evaluateRules(bundle, { packages: { deny: [matcher] } });

    expect(verdict.passed).toBe(!violates);
  });

  it.each<[string, string, string, string, boolean]>([
    ['npm: build metadata does not make a version newer (semver)', 'npm', '>1.0.0', '1.0.0+build.1', false],
    ['npm: a pre-release is below its release (semver)', 'npm', '<2.0.0', '2.0.0-rc.1', true],
    ['npm: a short bound means .0 (semver)', 'node-pkg', '<2', '1.9.9', true],
    ['npm: a version that is not semver falls back to the generic order', 'npm', '<2.0.0', '1.9', true],
    ['Debian: ~ sorts before the release (dpkg)', 'debian', '<2.2', '2.2~rc-4', true],
    ['Ubuntu: an epoch wins (dpkg)', 'ubuntu', '<2:1.0', '1:9.9-1ubuntu1', true],
    ['Debian: a + revision is newer (dpkg)', 'debian', '>1.0.8', '1.0.8+nmu1', true],
    ['RPM: a bound without release matches every release of it (rpm)', 'redhat', '=1.0.2k', '1.0.2k-21.el7', true],
    ['RPM: the release compares when both have one (rpm)', 'centos', '<1.0.2k-21.el7', '1.0.2k-19.el7', true],
    ['RPM: ^ sorts after the release (rpm)', 'rpm', '>1.0', '1.0^git1', true],
    ['Alpine: _rc before the release (apk)', 'alpine', '<1.2.3', '1.2.3_rc1', true],
    ['Alpine: _p after the release (apk)', 'apk', '>1.2.3', '1.2.3_p1', true],
    ['Alpine: -r revisions by number (apk)', 'alpine', '<1.36.1-r10', '1.36.1-r2', true],
  ])('compares versions by the package type: %s', (_name, type, range, version, violates) => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'pkg', version, type })] });

    const verdict = evaluateRules(bundle, { packages: { deny: [{ name: 'pkg', version: range }] } });

    expect(verdict.passed).toBe(!violates);
  });

  it('takes the type of a package only a vulnerability names from the vulnerability', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ package: 'pkg', packageType: 'npm', installedVersion: '1.0.0+build.1' })] });

    const verdict = evaluateRules(bundle, { packages: { deny: [{ name: 'pkg', version: '>1.0.0' }] } });

    expect(verdict.passed).toBe(true);
  });

  it.each([['log4j-core'], ['org.apache.logging.log4j:log4j-core'], ['LOG4J-CORE']])('an exception %s waives the Maven package org.apache.logging.log4j:log4j-core', (id) => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'org.apache.logging.log4j:log4j-core', version: '2.14.1' })] });

    const verdict = evaluateRules(bundle, { packages: { deny: ['log4j-core'] } }, [buildException({ id })]);

    expect(verdict.passed).toBe(true);
  });

  it('sees packages that only vulnerabilities name (no package list in the report)', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ package: 'log4j-core', installedVersion: '2.14.1' })] });

    const [violation] = evaluateRules(bundle, { packages: { deny: [{ name: 'log4j-core', version: '<2.17.1' }] } }).violations;

    expect(violation).toEqual({
      rule: 'packages.deny',
      attribution: 'introduced',
      id: 'log4j-core',
      package: 'log4j-core',
      version: '2.14.1',
      message: 'log4j-core 2.14.1 is in the denied range <2.17.1; upgrade log4j-core out of that range',
    });
  });

  it('reports a package once, with every matching version', () => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'telnet', version: '0.17' }), buildPackage({ name: 'telnet', version: '0.18' })] });

    const { violations } = evaluateRules(bundle, { packages: { deny: ['telnet'] } });

    expect(violations.map((v) => [v.id, v.version, v.message])).toEqual([['telnet', '0.17, 0.18', 'telnet 0.17, 0.18 is denied by the policy; remove telnet from the image']]);
  });
});
