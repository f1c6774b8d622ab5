import { splitEpoch } from './epoch.ts';

/**
 * Debian package versions (`[epoch:]upstream[-revision]`), compared as dpkg does: a port of
 * `dpkg_version_compare` and `verrevcmp` in dpkg's lib/dpkg/version.c (Debian Policy §5.6.12).
 * Test vectors: dpkg's scripts/t/Dpkg_Version.t, in test/engine/ecosystems/dpkg.test.ts.
 */

interface DebianVersion {
  epoch: number;
  upstream: string;
  revision: string;
}

/** As dpkg's parseversion: the epoch before the first `:`, the revision after the last `-`. Surrounding blanks are ignored. */
function parseDebianVersion(text: string): DebianVersion {
  const { epoch, rest } = splitEpoch(text);
  const hyphen = rest.lastIndexOf('-');
  return hyphen < 0 ? { epoch, upstream: rest, revision: '' } : { epoch, upstream: rest.slice(0, hyphen), revision: rest.slice(hyphen + 1) };
}

/** Negative when `a` is older than `b`, 0 when they are the same version, positive when newer. */
export function compareDebianVersions(a: string, b: string): number {
  const left = parseDebianVersion(a);
  const right = parseDebianVersion(b);
  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
  return verrevcmp(left.upstream, right.upstream) || verrevcmp(left.revision, right.revision);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isLetter(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

/** dpkg's `order`: `~` before the end, the end before letters, letters before other characters. */
function order(code: number): number {
  if (isDigit(code)) return 0;
  if (isLetter(code)) return code;
  if (code === 126) return -1; // ~
  if (code > 0) return code + 256;
  return 0;
}

/** A character code at `i`, 0 past the end (C's terminating NUL). */
function at(text: string, i: number): number {
  return i < text.length ? text.charCodeAt(i) : 0;
}

function verrevcmp(a: string, b: string): number {
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    let firstDiff = 0;
    while ((i < a.length && !isDigit(at(a, i))) || (j < b.length && !isDigit(at(b, j)))) {
      const ac = order(at(a, i));
      const bc = order(at(b, j));
      if (ac !== bc) return ac - bc;
      i++;
      j++;
    }
    while (at(a, i) === 48) i++;
    while (at(b, j) === 48) j++;
    while (isDigit(at(a, i)) && isDigit(at(b, j))) {
      if (firstDiff === 0) firstDiff = at(a, i) - at(b, j);
      i++;
      j++;
    }
    if (isDigit(at(a, i))) return 1;
    if (isDigit(at(b, j))) return -1;
    if (firstDiff !== 0) return firstDiff;
  }
  return 0;
}
