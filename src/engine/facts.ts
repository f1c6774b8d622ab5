import type { Bundle } from '../model/bundle.ts';
import type { Vulnerability } from '../model/report.ts';
import { severityRank } from '../model/severity.ts';
import { type CelActivation, toCelActivation } from './cel.ts';
import { bestCvss } from './cvss.ts';
import { createVulnerabilitySorter, cveKey, NOT_A_CVE, type VulnerabilitySorter } from './order.ts';

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
   * The vulnerabilities whose ID or an alias is one of `lowercaseIds` (`cve-2021-44228`), compared
   * case-insensitively, each with the query IDs it matched. One pass over the vulnerabilities.
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
      const wanted = new Set(lowercaseIds);
      if (wanted.size === 0) return found;
      for (let i = 0; i < count; i++) {
        const vulnerability = vulnerabilities[i]!;
        const own = vulnerability.id.toLowerCase();
        let matched = wanted.has(own) ? [own] : undefined;
        for (const alias of vulnerability.aliases) {
          const lower = alias.toLowerCase();
          if (!wanted.has(lower)) continue;
          if (matched === undefined) matched = [lower];
          else if (!matched.includes(lower)) matched.push(lower);
        }
        if (matched !== undefined) found.set(i, matched);
      }
      return found;
    },
    vulnerabilityClasses() {
      if (classes === undefined) classes = findDuplicateClasses(vulnerabilities) ?? null;
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
 * its own class. A CVE ID is the same ID in any case (`cve-2021-1234` = `CVE-2021-1234`); other IDs as written.
 */
function findDuplicateClasses(vulnerabilities: readonly Vulnerability[]): Int32Array | undefined {
  const firstById = new Map<string, number>();
  // Only IDs seen more than once get a per-package map.
  const byFirstThenPackage = new Map<number, Map<string, number>>();
  let classes: Int32Array | undefined;
  for (let i = 0; i < vulnerabilities.length; i++) {
    const vulnerability = vulnerabilities[i]!;
    const id = classId(vulnerability.id);
    const first = firstById.get(id);
    if (first === undefined) {
      firstById.set(id, i);
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

/** A CVE ID in odd case (`cve-2021-1234`) as its canonical upper case; any other ID as written. */
function classId(id: string): string {
  if (id.startsWith('CVE-') || (id.charCodeAt(0) | 32) !== 99) return id;
  const upper = id.toUpperCase();
  return cveKey(upper) === NOT_A_CVE ? id : upper;
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
