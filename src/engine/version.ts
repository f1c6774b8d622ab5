import { compareInEcosystem, type Ecosystem } from './ecosystems/index.ts';

/**
 * Package versions and ranges for `packages.deny` entries (`{name: log4j-core, version: "<2.17.1"}`).
 *
 * A package's versions compare by its ecosystem's own rules (ecosystems/): dpkg's for Debian and
 * Ubuntu packages, rpm's for RPM distributions, apk's for Alpine, semver for npm. Every other
 * package type (and a semver package whose version is not semver) uses the generic comparator below,
 * good enough for most version schemes:
 * - an epoch (`N:`) compares first; a leading `v` before a digit is ignored;
 * - the rest splits into numeric and alphabetic segments (`.`, `-`, `_`, `+` separate them);
 *   numeric segments compare as numbers, alphabetic ones lexically (case-insensitively), and a number
 *   sorts after a word (`1.0.1` > `1.0.a`);
 * - `~` sorts before everything, even the end (`1.0~rc1` < `1.0`);
 * - when one version ends where the other goes on, the longer one is newer (`1.2.3-r1` > `1.2.3`,
 *   `1.0-1` > `1.0`; but `1.0.0` = `1.0`), except for a pre-release tail: `-alpha`, `-rc.1` (semver), `_alpha`, `_beta`,
 *   `_pre`, `_rc` (Alpine) sort before the end (`1.0.0-rc.1` < `1.0.0`). Alpine's `-r1` is a revision.
 *
 * Ranges: comparators `<` `<=` `>` `>=` `=` `==` `!=`, a bare version meaning `=`; comparators joined by
 * `,` (or spaces) must all hold, and `||` separates alternatives: `>=1.0, <1.2 || >=2.0, <2.3`.
 */

type Segment = { kind: 'num'; value: string; sep: string } | { kind: 'alpha'; value: string; sep: string } | { kind: 'tilde'; sep: string };

interface ParsedVersion {
  epoch: number;
  segments: Segment[];
}

const ALPINE_PRE_RELEASE = new Set(['alpha', 'beta', 'pre', 'rc']);

function parseVersion(version: string): ParsedVersion {
  let rest = version.trim();
  let epoch = 0;
  const epochMatch = /^(\d+):/.exec(rest);
  if (epochMatch) {
    epoch = Number(epochMatch[1]);
    rest = rest.slice(epochMatch[0].length);
  }
  if (/^[vV]\d/.test(rest)) rest = rest.slice(1);
  const segments: Segment[] = [];
  let sep = '';
  let i = 0;
  while (i < rest.length) {
    const char = rest[i]!;
    if (char === '~') {
      segments.push({ kind: 'tilde', sep });
      sep = '';
      i++;
    } else if (isDigit(char)) {
      let j = i;
      while (j < rest.length && isDigit(rest[j]!)) j++;
      segments.push({ kind: 'num', value: stripLeadingZeros(rest.slice(i, j)), sep });
      sep = '';
      i = j;
    } else if (isLetter(char)) {
      let j = i;
      while (j < rest.length && isLetter(rest[j]!)) j++;
      segments.push({ kind: 'alpha', value: rest.slice(i, j).toLowerCase(), sep });
      sep = '';
      i = j;
    } else {
      // A separator: remember the first one, so that `-rc` can be told from `.rc`.
      if (sep === '') sep = char;
      i++;
    }
  }
  return { epoch, segments };
}

function isDigit(char: string): boolean {
  return char >= '0' && char <= '9';
}

function isLetter(char: string): boolean {
  return (char >= 'a' && char <= 'z') || (char >= 'A' && char <= 'Z');
}

function stripLeadingZeros(digits: string): string {
  let i = 0;
  while (i < digits.length - 1 && digits[i] === '0') i++;
  return digits.slice(i);
}

/** Negative when `a` is older than `b`, 0 when they are the same version, positive when newer, in that ecosystem. */
export function compareVersions(a: string, b: string, ecosystem: Ecosystem = 'generic'): number {
  if (a === b) return 0;
  return compareInEcosystem(ecosystem, a, b) ?? compareGeneric(a, b);
}

/** The generic comparator (see the top of this file). */
function compareGeneric(a: string, b: string): number {
  const left = parseVersion(a);
  const right = parseVersion(b);
  if (left.epoch !== right.epoch) return left.epoch < right.epoch ? -1 : 1;
  const length = Math.max(left.segments.length, right.segments.length);
  for (let i = 0; i < length; i++) {
    const x = left.segments[i];
    const y = right.segments[i];
    if (x === undefined) {
      const order = tailOrder(right.segments, i);
      return order === 0 ? 0 : -order;
    }
    if (y === undefined) return tailOrder(left.segments, i);
    const order = compareSegments(x, y);
    if (order !== 0) return order;
  }
  return 0;
}

/** Where a version that goes on past the other's end sorts: 1 = newer, -1 = older (a pre-release). */
function tailOrder(segments: Segment[], from: number): number {
  const first = segments[from]!;
  if (first.kind === 'tilde') return -1;
  if (isZeroTail(segments, from)) return 0;
  if (first.kind !== 'alpha') return 1;
  if (first.sep === '-') {
    const next = segments[from + 1];
    const isAlpineRevision = first.value === 'r' && next?.kind === 'num' && next.sep === '';
    return isAlpineRevision ? 1 : -1;
  }
  if (first.sep === '_' && ALPINE_PRE_RELEASE.has(first.value)) return -1;
  return 1;
}

/** `1.0` and `1.0.0` are the same version. */
function isZeroTail(segments: Segment[], from: number): boolean {
  for (let i = from; i < segments.length; i++) {
    const segment = segments[i]!;
    if (segment.kind !== 'num' || segment.value !== '0' || segment.sep !== '.') return false;
  }
  return true;
}

function compareSegments(x: Segment, y: Segment): number {
  if (x.kind === 'tilde' || y.kind === 'tilde') {
    if (x.kind === y.kind) return 0;
    return x.kind === 'tilde' ? -1 : 1;
  }
  if (x.kind !== y.kind) return x.kind === 'num' ? 1 : -1;
  if (x.kind === 'num') {
    if (x.value.length !== y.value.length) return x.value.length < y.value.length ? -1 : 1;
  }
  if (x.value === y.value) return 0;
  return x.value < y.value ? -1 : 1;
}

export const RANGE_OPERATORS = ['<', '<=', '>', '>=', '=', '!='] as const;
export type RangeOperator = (typeof RANGE_OPERATORS)[number];

export interface Comparator {
  operator: RangeOperator;
  version: string;
}

/** Alternatives (OR) of comparator lists (AND). */
export interface VersionRange {
  text: string;
  alternatives: Comparator[][];
}

export type RangeParse = { ok: true; range: VersionRange } | { ok: false; message: string };

const COMPARATOR = /^(<=|>=|!=|==|=|<|>)?\s*([^\s,<>=!|]+)$/;

/** Parses a range; a malformed one comes back with the problem (the policy loader reports it). */
export function parseVersionRange(text: string): RangeParse {
  const alternatives: Comparator[][] = [];
  for (const alternative of text.split('||')) {
    const comparators: Comparator[] = [];
    // Glue an operator to its version (`>= 1.0` → `>=1.0`), then split on commas and spaces.
    const parts = alternative.replace(/(<=|>=|!=|==|=|<|>)\s+/g, '$1').split(/[\s,]+/).filter((part) => part !== '');
    for (const part of parts) {
      const match = COMPARATOR.exec(part);
      if (!match) return { ok: false, message: `"${part}" in the version range "${text}" is not a comparator such as <2.17.1, >=1.0 or 1.2.3` };
      const operator = match[1] === undefined || match[1] === '==' ? '=' : (match[1] as RangeOperator);
      comparators.push({ operator, version: match[2]! });
    }
    if (comparators.length === 0) return { ok: false, message: `the version range "${text}" has an empty alternative` };
    alternatives.push(comparators);
  }
  return { ok: true, range: { text, alternatives } };
}

/** `undefined` when the range is valid, else the problem: for the policy loader. */
export function checkVersionRange(text: string): string | undefined {
  const parsed = parseVersionRange(text);
  return parsed.ok ? undefined : parsed.message;
}

/** Whether `version`, of a package in `ecosystem`, is in the range. */
export function satisfiesRange(version: string, range: VersionRange, ecosystem: Ecosystem = 'generic'): boolean {
  for (const comparators of range.alternatives) {
    let holds = true;
    for (const comparator of comparators) {
      if (!satisfiesComparator(version, comparator, ecosystem)) {
        holds = false;
        break;
      }
    }
    if (holds) return true;
  }
  return false;
}

function satisfiesComparator(version: string, { operator, version: bound }: Comparator, ecosystem: Ecosystem): boolean {
  const order = compareVersions(version, bound, ecosystem);
  switch (operator) {
    case '<':
      return order < 0;
    case '<=':
      return order <= 0;
    case '>':
      return order > 0;
    case '>=':
      return order >= 0;
    case '=':
      return order === 0;
    case '!=':
      return order !== 0;
  }
}
