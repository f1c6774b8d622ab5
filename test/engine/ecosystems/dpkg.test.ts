import { describe, expect, it } from 'vitest';
import { compareDebianVersions } from '../../../src/engine/ecosystems/dpkg.ts';

/**
 * dpkg's own test vectors: the __DATA__ of scripts/t/Dpkg_Version.t in dpkg
 * (https://git.dpkg.org/cgit/dpkg/dpkg.git/tree/scripts/t/Dpkg_Version.t), `a b expected`.
 */
const DPKG_VERSION_T: [string, string, number][] = [
  ['1.0-1', '2.0-2', -1],
  ['2.2~rc-4', '2.2-1', -1],
  ['2.2-1', '2.2~rc-4', 1],
  ['1.0000-1', '1.0-1', 0],
  ['1', '0:1', 0],
  ['0', '0:0-0', 0],
  ['2:2.5', '1:7.5', 1],
  ['1:0foo', '0foo', 1],
  ['0:0foo', '0foo', 0],
  ['0foo', '0foo', 0],
  ['0foo-', '0foo', 0],
  ['0foo-', '0foo-0', 0],
  ['0foo', '0fo', 1],
  ['0foo-', '0foo+', -1],
  ['0foo~1', '0foo', -1],
  ['0foo~foo+Bar', '0foo~foo+bar', -1],
  ['0foo~~', '0foo~', -1],
  ['1~', '1', -1],
  ['12345+that-really-is-some-ver-0', '12345+that-really-is-some-ver-10', -1],
  ['0foo-0', '0foo-01', -1],
  ['0foo.bar', '0foobar', 1],
  ['0foo.bar', '0foo1bar', 1],
  ['0foo.bar', '0foo0bar', 1],
  ['0foo1bar-1', '0foobar-1', -1],
  ['0foo2.0', '0foo2', 1],
  ['0foo2.0.0', '0foo2.10.0', -1],
  ['0foo2.0', '0foo2.0.0', -1],
  ['0foo2.0', '0foo2.10', -1],
  ['0foo2.1', '0foo2.10', -1],
  ['1.09', '1.9', 0],
  ['1.0.8+nmu1', '1.0.8', 1],
  ['3.11', '3.10+nmu1', 1],
  ['0.9j-20080306-4', '0.9i-20070324-2', 1],
  ['1.2.0~b7-1', '1.2.0~b6-1', 1],
  ['1.011-1', '1.06-2', 1],
  ['0.0.9+dfsg1-1', '0.0.8+dfsg1-3', 1],
  ['4.6.99+svn6582-1', '4.6.99+svn6496-1', 1],
  ['53', '52', 1],
  ['0.9.9~pre122-1', '0.9.9~pre111-1', 1],
  ['2:2.3.2-2+lenny2', '2:2.3.2-2', 1],
  ['1:3.8.1-1', '3.8.GA-1', 1],
  ['1.0.1+gpl-1', '1.0.1-2', 1],
  ['1a', '1000a', -1],
  ['-0.6.5', '0.9.1', -1],
];

describe('src/engine/ecosystems/dpkg', () => {
  it.each(DPKG_VERSION_T)('%s vs %s is %i, and the reverse the opposite', (a, b, expected) => {
    expect(Math.sign(compareDebianVersions(a, b))).toBe(expected);
    expect(Math.sign(compareDebianVersions(b, a))).toBe(-expected || 0);
  });

  it.each([
    ['an epoch', '1:1.0-1', '2.0-1', 1],
    ['a Debian security revision', '2.2.4-1', '2.2.4-1+deb10u1', -1],
    ['an Ubuntu revision', '1.1.1f-1ubuntu2.20', '1.1.1f-1ubuntu2.3', 1],
    ['blanks around', ' 1.0-1 ', '1.0-1', 0],
  ])('orders %s as dpkg --compare-versions does', (_name, a, b, expected) => {
    expect(Math.sign(compareDebianVersions(a, b))).toBe(expected);
  });
});
