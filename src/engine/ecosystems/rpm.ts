import { splitEpoch } from './epoch.ts';

/**
 * RPM package versions (`[epoch:]version[-release]`), compared as rpm does: a port of
 * `rpmvercmp` in rpm's rpmio/rpmvercmp.c (with `~` and `^`), applied to epoch, version and
 * release in turn as `rpmVersionCompare` does; a release missing on either side is not compared
 * (`1.0` matches `1.0-3.el9`, as an rpm dependency on `1.0` does).
 * Test vectors: rpm's tests/rpmvercmp.at, in test/engine/ecosystems/rpm.test.ts.
 */

interface RpmVersion {
  epoch: number;
  version: string;
  release: string | undefined;
}

function parseRpmVersion(text: string): RpmVersion {
  const { epoch, rest } = splitEpoch(text);
  const hyphen = rest.lastIndexOf('-');
  return hyphen < 0 ? { epoch, version: rest, release: undefined } : { epoch, version: rest.slice(0, hyphen), release: rest.slice(hyphen + 1) };
}

/** Negative when `a` is older than `b`, 0 when they are the same version, positive when newer. */
export function compareRpmVersions(a: string, b: string): number {
  const left = parseRpmVersion(a);
  const right = parseRpmVersion(b);
  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
  const byVersion = rpmvercmp(left.version, right.version);
  if (byVersion !== 0 || left.release === undefined || right.release === undefined) return byVersion;
  return rpmvercmp(left.release, right.release);
}

function isDigit(code: number): boolean {
  return code >= 48 && code <= 57;
}

function isAlpha(code: number): boolean {
  return (code >= 65 && code <= 90) || (code >= 97 && code <= 122);
}

const TILDE = 126;
const CARET = 94;

/** rpm's rpmvercmp: -1, 0 or 1. */
export function rpmvercmp(a: string, b: string): number {
  if (a === b) return 0;
  let one = 0;
  let two = 0;
  const codeAt = (text: string, i: number): number => (i < text.length ? text.charCodeAt(i) : 0);
  while (one < a.length || two < b.length) {
    while (one < a.length && !isDigit(codeAt(a, one)) && !isAlpha(codeAt(a, one)) && codeAt(a, one) !== TILDE && codeAt(a, one) !== CARET) one++;
    while (two < b.length && !isDigit(codeAt(b, two)) && !isAlpha(codeAt(b, two)) && codeAt(b, two) !== TILDE && codeAt(b, two) !== CARET) two++;
    const x = codeAt(a, one);
    const y = codeAt(b, two);
    // `~` sorts before everything, even the end.
    if (x === TILDE || y === TILDE) {
      if (x !== TILDE) return 1;
      if (y !== TILDE) return -1;
      one++;
      two++;
      continue;
    }
    // `^` sorts after the end, before anything else.
    if (x === CARET || y === CARET) {
      if (one >= a.length) return -1;
      if (two >= b.length) return 1;
      if (x !== CARET) return 1;
      if (y !== CARET) return -1;
      one++;
      two++;
      continue;
    }
    if (!(one < a.length && two < b.length)) break;
    let end1 = one;
    let end2 = two;
    const isNumber = isDigit(x);
    const inSegment = isNumber ? isDigit : isAlpha;
    while (end1 < a.length && inSegment(codeAt(a, end1))) end1++;
    while (end2 < b.length && inSegment(codeAt(b, end2))) end2++;
    // A numeric segment is newer than an alphabetic one (the other side's segment is empty here).
    if (two === end2) return isNumber ? 1 : -1;
    let segment1 = a.slice(one, end1);
    let segment2 = b.slice(two, end2);
    if (isNumber) {
      segment1 = segment1.replace(/^0+/, '');
      segment2 = segment2.replace(/^0+/, '');
      if (segment1.length !== segment2.length) return segment1.length > segment2.length ? 1 : -1;
    }
    if (segment1 !== segment2) return segment1 < segment2 ? -1 : 1;
    one = end1;
    two = end2;
  }
  if (one >= a.length && two >= b.length) return 0;
  return one >= a.length ? -1 : 1;
}
