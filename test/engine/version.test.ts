import { describe, expect, it } from 'vitest';
import type { Ecosystem } from '../../src/engine/ecosystems/index.ts';
import { checkVersionRange, compareVersions, parseVersionRange, satisfiesRange } from '../../src/engine/version.ts';

describe('src/engine/version', () => {
  it.each([
    ['semver patch', '2.14.1', '2.17.1', -1],
    ['semver numeric, not lexical', '1.10.0', '1.9.0', 1],
    ['equal', '1.2.3', '1.2.3', 0],
    ['trailing zero is the same version', '1.0', '1.0.0', 0],
    ['leading v ignored', 'v1.2.3', '1.2.3', 0],
    ['leading zeros', '1.02', '1.2', 0],
    ['semver pre-release before release', '1.0.0-rc.1', '1.0.0', -1],
    ['semver pre-releases lexical', '1.0.0-alpha', '1.0.0-beta', -1],
    ['debian epoch wins', '1:1.0', '2.0', 1],
    ['debian tilde before release', '1.0~rc1', '1.0', -1],
    ['debian tilde before tilde-less suffix', '1.0~rc1-1', '1.0-1', -1],
    ['debian revision', '2.2.4-1', '2.2.4-1+deb10u1', -1],
    ['debian revision numeric', '1.2-10', '1.2-9', 1],
    ['rpm release', '1.0.2k-19.el7', '1.0.2k-21.el7', -1],
    ['rpm letter suffix', '1.0.2k', '1.0.2l', -1],
    ['alpine revision after release', '1.2.3-r1', '1.2.3', 1],
    ['alpine revisions', '1.2.3-r2', '1.2.3-r10', -1],
    ['alpine _rc before release', '1.2.3_rc1', '1.2.3', -1],
    ['alpine _p after release', '1.2.3_p1', '1.2.3', 1],
    ['number sorts after a word', '1.0.1', '1.0.a', 1],
    ['huge numbers', '20230101000000000001', '20230101000000000002', -1],
  ])('%s: %s vs %s', (_name, a, b, expected) => {
    const forward = Math.sign(compareVersions(a, b));
    const backward = Math.sign(compareVersions(b, a));

    expect(forward).toBe(expected);
    expect(backward).toBe(expected === 0 ? 0 : -expected);
  });

  it.each<[string, string, string, string, number]>([
    ['npm build metadata is the same version', 'semver', '1.0.0+build.1', '1.0.0', 0],
    ['generic: build metadata is a later segment', 'generic', '1.0.0+build.1', '1.0.0', 1],
    ['deb', 'deb', '1:1.0', '2.0', 1],
    ['rpm', 'rpm', '1.0^git1', '1.0', 1],
    ['apk', 'apk', '1.2.3_rc1', '1.2.3', -1],
  ])('compareVersions in an ecosystem: %s', (_name, ecosystem, a, b, expected) => {
    expect(Math.sign(compareVersions(a, b, ecosystem as Ecosystem))).toBe(expected);
  });

  it.each([
    ['<2.17.1', '2.14.1', true],
    ['<2.17.1', '2.17.1', false],
    ['<=2.17.1', '2.17.1', true],
    ['>2.0', '2.0', false],
    ['>=2.0', '2.0', true],
    ['=1.2.3', '1.2.3', true],
    ['==1.2.3', '1.2.4', false],
    ['1.2.3', '1.2.3', true],
    ['1.2.3', '1.2.4', false],
    ['!=1.2.3', '1.2.4', true],
    ['>=1.0, <1.2', '1.1', true],
    ['>=1.0, <1.2', '1.2', false],
    ['>= 1.0 < 1.2', '1.1.9', true],
    ['>=1.0, <1.2 || >=2.0, <2.3', '2.1', true],
    ['>=1.0, <1.2 || >=2.0, <2.3', '1.5', false],
    ['<1:0', '9.9', true],
  ])('range %s holds for %s: %s', (range, version, expected) => {
    const parsed = parseVersionRange(range);

    expect(parsed.ok).toBe(true);
    expect(parsed.ok && satisfiesRange(version, parsed.range)).toBe(expected);
  });

  it.each([['<'], ['>=1.0, <'], ['1.0 ||'], ['=>1.0'], ['']])('rejects the malformed range %j', (range) => {
    const problem = checkVersionRange(range);

    expect(problem).toBeTypeOf('string');
  });
});
