import type { Bundle } from '../model/bundle.ts';
import type { Vulnerability } from '../model/report.ts';
import { severityRank } from '../model/severity.ts';
import { type CelActivation, toCelActivation } from './cel.ts';
import { bestCvss } from './cvss.ts';
import { createVulnerabilitySorter, cveKey, cveSmallKey, NOT_A_CVE, smallCveKey, type VulnerabilitySorter } from './order.ts';

/**
 * What the rules need about one bundle, computed once and shared by every policy: per-vulnerability
 * severity rank and best CVSS score eagerly (every vulnerability rule reads them); the violation
 * order, duplicate classes, ID look-ups, the package inventory and the CEL activation lazily (only
 * some rules need them). Rule results are cached by rule configuration, so policies that share a
 * rule (`severity: critical` in the organization's and the repository's file) compute it once.
 */
export interface BundleFacts {
  readonly bundle: Bundle;
  /** `severityRank` of each vulnerability, by index. */
  readonly vulnerabilityRanks: Int8Array;
  /** SPEC §2 CVSS score of each vulnerability, NaN when it has none. */
  readonly vulnerabilityCvss: Float64Array;
  /** Sorts vulnerability indices most severe first (see order.ts). */
  sortVulnerabilities(indices: number[]): number[];
  /** The order `sortVulnerabilities` uses, for two vulnerability indices. */
  compareVulnerabilities(a: number, b: number): number;
  /**
   * The vulnerabilities whose ID or an alias is one of `lowercaseIds` (`cve-2021-44228`), each with the
   * query IDs it matched. One pass over the vulnerabilities; no string is built for a CVE ID.
   */
  findVulnerabilities(lowercaseIds: readonly string[]): Map<number, string[]>;
  /**
   * For each vulnerability, the index of the first one with the same ID and package (one violation
   * per rule, ID and package); `undefined` when the bundle has no such duplicates.
   */
  vulnerabilityClasses(): Int32Array | undefined;
  /**
   * Every installed package the reports name: the package lists, plus the packages that only
   * vulnerabilities name (a Trivy report without `--list-all-pkgs` has no package list). Unique by name and version.
   */
  inventory(): readonly InstalledPackage[];
  /** The names in `inventory()`. */
  packageNames(): ReadonlySet<string>;
  celActivation(): CelActivation;
  /** The result of a rule with this configuration (`cacheKey`), computed on first use. */
  ruleResult<T>(cacheKey: string, compute: () => T): T;
}

export interface InstalledPackage {
  name: string;
  version: string;
  licenses: readonly string[];
}

export function buildBundleFacts(bundle: Bundle): BundleFacts {
  const vulnerabilities = bundle.vulnerabilities;
  const count = vulnerabilities.length;
  const vulnerabilityRanks = new Int8Array(count);
  const vulnerabilityCvss = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const vulnerability = vulnerabilities[i]!;
    vulnerabilityRanks[i] = severityRank(vulnerability.severity);
    vulnerabilityCvss[i] = bestCvss(vulnerability.cvss) ?? Number.NaN;
  }
  let sorter: VulnerabilitySorter | undefined;
  // The small CVE keys of every ID and alias (-1 for other IDs), computed once: matching a CVE ID
  // then compares integers, and no string is built.
  let idKeys: { ids: Int32Array; aliasStart: Int32Array; aliases: Int32Array } | undefined;
  function getIdKeys(): NonNullable<typeof idKeys> {
    if (idKeys === undefined) {
      const cves = cveKeys();
      const ids = new Int32Array(count);
      const aliasStart = new Int32Array(count + 1);
      let aliasCount = 0;
      for (let i = 0; i < count; i++) {
        ids[i] = cves[i] === NOT_A_CVE ? cveKeyOf(vulnerabilities[i]!.id) : smallCveKey(cves[i]!);
        aliasStart[i] = aliasCount;
        aliasCount += vulnerabilities[i]!.aliases.length;
      }
      aliasStart[count] = aliasCount;
      const aliases = new Int32Array(aliasCount);
      for (let i = 0; i < count; i++) {
        const start = aliasStart[i]!;
        vulnerabilities[i]!.aliases.forEach((alias, a) => (aliases[start + a] = cveKeyOf(alias)));
      }
      idKeys = { ids, aliasStart, aliases };
    }
    return idKeys;
  }
  let scansByCve = 0;
  let cveIndex: Map<number, number | number[]> | undefined;
  function getCveIndex(keys: NonNullable<typeof idKeys>): Map<number, number | number[]> {
    if (cveIndex === undefined) {
      cveIndex = new Map();
      for (let i = 0; i < count; i++) {
        addIndex(cveIndex, keys.ids[i]!, i);
        for (let a = keys.aliasStart[i]!; a < keys.aliasStart[i + 1]!; a++) addIndex(cveIndex, keys.aliases[a]!, i);
      }
    }
    return cveIndex;
  }
  function getSorter(): VulnerabilitySorter {
    sorter ??= createVulnerabilitySorter(vulnerabilities, vulnerabilityRanks, vulnerabilityCvss, cveKeys());
    return sorter;
  }
  let classes: Int32Array | undefined | null;
  let inventory: InstalledPackage[] | undefined;
  let names: Set<string> | undefined;
  let activation: CelActivation | undefined;
  const ruleResults = new Map<string, unknown>();
  let cves: Float64Array | undefined;
  function cveKeys(): Float64Array {
    if (cves === undefined) {
      cves = new Float64Array(count);
      for (let i = 0; i < count; i++) cves[i] = cveKey(vulnerabilities[i]!.id);
    }
    return cves;
  }
  const facts: BundleFacts = {
    bundle,
    vulnerabilityRanks,
    vulnerabilityCvss,
    sortVulnerabilities(indices) {
      return getSorter().sort(indices);
    },
    compareVulnerabilities(a, b) {
      return getSorter().compare(a, b);
    },
    findVulnerabilities(lowercaseIds) {
      const found = new Map<number, string[]>();
      if (count === 0 || lowercaseIds.length === 0) return found;
      const byCve = new Map<number, string>();
      const byText = new Map<string, string>();
      const textLengths = new Set<number>();
      for (const query of lowercaseIds) {
        const small = cveSmallKey(query.toUpperCase());
        if (small === NOT_A_CVE) {
          byText.set(query, query);
          textLengths.add(query.length);
        } else {
          byCve.set(small, query);
        }
      }
      const keys = getIdKeys();
      // Many look-ups by CVE ID alone (one per policy and exception pass): index the keys once.
      scansByCve++;
      if (byText.size === 0 && scansByCve > 2) {
        const index = getCveIndex(keys);
        for (const [key, query] of byCve) {
          const indices = index.get(key);
          if (indices === undefined) continue;
          for (const i of typeof indices === 'number' ? [indices] : indices) {
            const matched = found.get(i);
            if (matched === undefined) found.set(i, [query]);
            else if (!matched.includes(query)) matched.push(query);
          }
        }
        return found;
      }
      function match(id: string, key: number): string | undefined {
        if (key !== NOT_A_CVE) return byCve.get(key);
        // Lowercase only an ID that could match: same length as a text query.
        return textLengths.has(id.length) ? byText.get(id.toLowerCase()) : undefined;
      }
      for (let i = 0; i < count; i++) {
        const vulnerability = vulnerabilities[i]!;
        let matched: string[] | undefined;
        const own = match(vulnerability.id, keys.ids[i]!);
        if (own !== undefined) matched = [own];
        const start = keys.aliasStart[i]!;
        const end = keys.aliasStart[i + 1]!;
        for (let a = start; a < end; a++) {
          const byAlias = match(vulnerability.aliases[a - start]!, keys.aliases[a]!);
          if (byAlias === undefined) continue;
          if (matched === undefined) matched = [byAlias];
          else if (!matched.includes(byAlias)) matched.push(byAlias);
        }
        if (matched !== undefined) found.set(i, matched);
      }
      return found;
    },
    vulnerabilityClasses() {
      if (classes === undefined) classes = findDuplicateClasses(vulnerabilities, getIdKeys().ids) ?? null;
      return classes ?? undefined;
    },
    inventory() {
      inventory ??= buildInventory(bundle);
      return inventory;
    },
    packageNames() {
      names ??= new Set(facts.inventory().map((p) => p.name));
      return names;
    },
    celActivation() {
      activation ??= toCelActivation(bundle);
      return activation;
    },
    ruleResult<T>(cacheKey: string, compute: () => T): T {
      if (ruleResults.has(cacheKey)) return ruleResults.get(cacheKey) as T;
      const result = compute();
      ruleResults.set(cacheKey, result);
      return result;
    },
  };
  return facts;
}

/**
 * Same ID and package = one class, named by its first index. `undefined` when every vulnerability is
 * its own class. CVE IDs are looked up by their numeric key (cheap to hash), other IDs by text.
 */
function findDuplicateClasses(vulnerabilities: readonly Vulnerability[], cves: Int32Array): Int32Array | undefined {
  const firstByCve = new Map<number, number>();
  const firstById = new Map<string, number>();
  // Only IDs seen more than once get a per-package map.
  const byFirstThenPackage = new Map<number, Map<string, number>>();
  let classes: Int32Array | undefined;
  for (let i = 0; i < vulnerabilities.length; i++) {
    const cve = cves[i]!;
    const vulnerability = vulnerabilities[i]!;
    const first = cve === NOT_A_CVE ? firstById.get(vulnerability.id) : firstByCve.get(cve);
    if (first === undefined) {
      if (cve === NOT_A_CVE) firstById.set(vulnerability.id, i);
      else firstByCve.set(cve, i);
      continue;
    }
    let byPackage = byFirstThenPackage.get(first);
    if (byPackage === undefined) {
      byPackage = new Map([[vulnerabilities[first]!.package, first]]);
      byFirstThenPackage.set(first, byPackage);
    }
    const earlier = byPackage.get(vulnerability.package);
    if (earlier === undefined) {
      byPackage.set(vulnerability.package, i);
      continue;
    }
    if (classes === undefined) {
      classes = new Int32Array(vulnerabilities.length);
      for (let k = 0; k < classes.length; k++) classes[k] = k;
    }
    classes[i] = earlier;
  }
  return classes;
}

/** The small CVE key of an ID as written, or of its upper case (`cve-2021-1` in an odd report). */
function cveKeyOf(id: string): number {
  const key = cveSmallKey(id);
  if (key !== NOT_A_CVE || (id.charCodeAt(0) | 32) !== 99) return key;
  return cveSmallKey(id.toUpperCase());
}

/** One index is kept as a number, several as an array: most IDs name one vulnerability. */
function addIndex(map: Map<number, number | number[]>, key: number, index: number): void {
  if (key === NOT_A_CVE) return;
  const found = map.get(key);
  if (found === undefined) map.set(key, index);
  else if (typeof found === 'number') {
    if (found !== index) map.set(key, [found, index]);
  } else if (found[found.length - 1] !== index) found.push(index);
}

function buildInventory(bundle: Bundle): InstalledPackage[] {
  const versionsByName = new Map<string, Set<string>>();
  const inventory: InstalledPackage[] = [];
  function add(name: string, version: string, licenses: readonly string[]): void {
    let versions = versionsByName.get(name);
    if (versions === undefined) versionsByName.set(name, (versions = new Set()));
    if (versions.has(version)) return;
    versions.add(version);
    inventory.push({ name, version, licenses });
  }
  for (const p of bundle.packages) add(p.name, p.version, p.licenses);
  for (const v of bundle.vulnerabilities) add(v.package, v.installedVersion, NO_LICENSES);
  return inventory;
}

const NO_LICENSES: readonly string[] = [];
