import type { Vulnerability } from '../model/report.ts';
import { severityRank } from '../model/severity.ts';
import type { RuleKey, Violation } from '../model/verdict.ts';
import { RULE_KEYS } from '../model/verdict.ts';

/**
 * The order of violations (most severe first): severity rank, then CVSS, then finding ID, then rule
 * (in RULE_KEYS order), then package. IDs compare so that people read them in order: CVE IDs first,
 * by year and number (`CVE-2021-9999` before `CVE-2021-10000`), then every other ID by code unit.
 */

const RULE_ORDER = new Map<RuleKey, number>(RULE_KEYS.map((key, index) => [key, index]));
export const NOT_A_CVE = -1;

export function compareViolations(a: Violation, b: Violation): number {
  const rankA = a.severity === undefined ? -2 : severityRank(a.severity);
  const rankB = b.severity === undefined ? -2 : severityRank(b.severity);
  if (rankA !== rankB) return rankB - rankA;
  const cvssA = a.cvss ?? -1;
  const cvssB = b.cvss ?? -1;
  if (cvssA !== cvssB) return cvssB - cvssA;
  const byId = compareFindingIds(a.id, b.id);
  if (byId !== 0) return byId;
  const byRule = compareRules(a.rule, b.rule);
  if (byRule !== 0) return byRule;
  return compareStrings(a.package ?? '', b.package ?? '');
}

export function compareRules(a: RuleKey, b: RuleKey): number {
  return RULE_ORDER.get(a)! - RULE_ORDER.get(b)!;
}

export function compareFindingIds(a: string, b: string): number {
  if (a === b) return 0;
  const cveA = cveKey(a);
  const cveB = cveKey(b);
  if (cveA !== NOT_A_CVE || cveB !== NOT_A_CVE) {
    if (cveA === NOT_A_CVE) return 1;
    if (cveB === NOT_A_CVE) return -1;
    if (cveA !== cveB) return cveA - cveB;
  }
  return compareStrings(a, b);
}

export function compareStrings(a: string, b: string): number {
  if (a === b) return 0;
  return a < b ? -1 : 1;
}

/** `CVE-YYYY-N…` as one number that sorts by year, then number; -1 for any other ID. */
export function cveKey(id: string): number {
  if (id.length < 10 || id.charCodeAt(0) !== 67 || id.charCodeAt(1) !== 86 || id.charCodeAt(2) !== 69 || id.charCodeAt(3) !== 45 || id.charCodeAt(8) !== 45) {
    return NOT_A_CVE;
  }
  let year = 0;
  for (let i = 4; i < 8; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NOT_A_CVE;
    year = year * 10 + digit;
  }
  // Only the canonical form: four digits, or more without a leading zero (so that equal keys are equal IDs).
  const digits = id.length - 9;
  if (digits < 4 || digits > 11 || (digits > 4 && id.charCodeAt(9) === 48)) return NOT_A_CVE;
  let number = 0;
  for (let i = 9; i < id.length; i++) {
    const digit = id.charCodeAt(i) - 48;
    if (digit < 0 || digit > 9) return NOT_A_CVE;
    number = number * 10 + digit;
  }
  return year * 1e12 + number;
}

/** A {@link cveKey} as a small integer (a radix sort key) when it fits 31 bits, else -1. */
export function smallCveKey(key: number): number {
  if (key === NOT_A_CVE) return NOT_A_CVE;
  const year = Math.floor(key / 1e12);
  const number = key - year * 1e12;
  if (year < 1990 || year > 2117 || number >= 16_777_216) return NOT_A_CVE;
  return (year - 1990) * 16_777_216 + number;
}

/** Severity and CVSS as one number, most severe first (no CVSS sorts after every score). */
export function primaryKeys(ranks: Int8Array, cvss: Float64Array): Float64Array {
  const primary = new Float64Array(ranks.length);
  for (let i = 0; i < ranks.length; i++) {
    const score = cvss[i]!;
    primary[i] = -(ranks[i]! * 1000 + (Number.isNaN(score) ? -1 : score * 10));
  }
  return primary;
}

/**
 * Sorts vulnerability indices in violation order (rank, CVSS, ID, package, index). The full order is
 * computed at most once per bundle, and only when a rule hits a large share of the vulnerabilities;
 * a rule that hits a few sorts just those.
 */
export interface VulnerabilitySorter {
  sort(indices: number[]): number[];
  compare(a: number, b: number): number;
}

export function createVulnerabilitySorter(vulnerabilities: readonly Vulnerability[], ranks: Int8Array, cvss: Float64Array, cves: Float64Array): VulnerabilitySorter {
  const count = vulnerabilities.length;
  const primary = primaryKeys(ranks, cvss);
  function compare(a: number, b: number): number {
    const byPrimary = primary[a]! - primary[b]!;
    if (byPrimary !== 0) return byPrimary;
    const cveA = cves[a]!;
    const cveB = cves[b]!;
    if (cveA !== cveB) {
      if (cveA === NOT_A_CVE) return 1;
      if (cveB === NOT_A_CVE) return -1;
      return cveA - cveB;
    }
    const x = vulnerabilities[a]!;
    const y = vulnerabilities[b]!;
    if (cveA === NOT_A_CVE) {
      const byId = compareStrings(x.id, y.id);
      if (byId !== 0) return byId;
    }
    return compareStrings(x.package, y.package) || a - b;
  }
  let order: Uint32Array | undefined;
  return {
    compare,
    sort(indices) {
      if (indices.length < 2) return indices;
      if (order === undefined && indices.length * 16 < count) return indices.sort(compare);
      order ??= orderAll(count, primary, cves, compare);
      const isWanted = new Uint8Array(count);
      for (let i = 0; i < indices.length; i++) isWanted[indices[i]!] = 1;
      const sorted = new Array<number>(indices.length);
      let k = 0;
      for (let i = 0; i < count; i++) if (isWanted[order[i]!] === 1) sorted[k++] = order[i]!;
      return sorted;
    },
  };
}

/**
 * Every index in `compare` order, by radix sort on (severity/CVSS bucket, CVE number) with the
 * comparator only for runs that share both (non-CVE IDs, one ID in several packages): a comparison
 * sort of 100,000 indices costs tens of milliseconds, this a few. The result is checked against
 * `compare`; should an odd score (more than one decimal) break the buckets, a plain sort is used.
 */
function orderAll(count: number, primary: Float64Array, cves: Float64Array, compare: (a: number, b: number) => number): Uint32Array {
  const order = radixOrder(count, primary, cves, compare);
  for (let i = 1; i < count; i++) {
    if (compare(order[i - 1]!, order[i]!) > 0) {
      const sorted = Array.from(order).sort(compare);
      order.set(sorted);
      break;
    }
  }
  return order;
}

/** The radix part of {@link orderAll}, unchecked (exported for its test). */
export function radixOrder(count: number, primary: Float64Array, cves: Float64Array, compare: (a: number, b: number) => number): Uint32Array {
  const major = new Uint32Array(count);
  const minor = new Uint32Array(count);
  for (let i = 0; i < count; i++) {
    // primary = -(rank * 1000 + cvss * 10), from -4100 (critical, 10.0) to 1001 (unknown, no score).
    major[i] = Math.round(primary[i]!) + 4100;
    const small = smallCveKey(cves[i]!);
    minor[i] = small === NOT_A_CVE ? 0x7fffffff : small;
  }
  let order: Uint32Array = new Uint32Array(count);
  for (let i = 0; i < count; i++) order[i] = i;
  order = radixPass(order, minor, 0);
  order = radixPass(order, minor, 11);
  order = radixPass(order, minor, 22);
  order = radixPass(order, major, 0);
  order = radixPass(order, major, 11);
  // Runs with the same bucket and CVE number still need the full comparison (ID text, package).
  let start = 0;
  for (let i = 1; i <= count; i++) {
    if (i < count && major[order[i]!] === major[order[start]!] && minor[order[i]!] === minor[order[start]!]) continue;
    if (i - start > 1) {
      const run = Array.from(order.subarray(start, i)).sort(compare);
      order.set(run, start);
    }
    start = i;
  }
  return order;
}

/** One stable counting-sort pass on 11 bits of `keys`, starting at bit `shift`. */
function radixPass(order: Uint32Array, keys: Uint32Array, shift: number): Uint32Array {
  const counts = new Uint32Array(2049);
  for (let i = 0; i < order.length; i++) counts[((keys[order[i]!]! >>> shift) & 2047) + 1]!++;
  for (let b = 1; b < 2049; b++) counts[b]! += counts[b - 1]!;
  const next = new Uint32Array(order.length);
  for (let i = 0; i < order.length; i++) {
    const index = order[i]!;
    next[counts[(keys[index]! >>> shift) & 2047]!++] = index;
  }
  return next;
}
