import type { Bundle } from '../model/bundle.ts';
import { severityRank } from '../model/severity.ts';
import { type CelActivation, toCelActivation } from './cel.ts';
import { bestCvss } from './cvss.ts';
import { createVulnerabilitySorter, cveKey, NOT_A_CVE, type VulnerabilitySorter } from './order.ts';

/**
 * What the rules need about one bundle, computed once and shared by every policy: per-vulnerability
 * severity rank and best CVSS score eagerly (every vulnerability rule reads them); the violation
 * order, ID look-ups, the package inventory and the CEL activation lazily (only
 * some rules need them). Rule results are cached by rule configuration, so policies that share a
 * rule (`severity: critical` in the organization's and the repository's file) compute it once.
 */
export interface BundleFacts {
  readonly bundle: Bundle;
  /** `severityRank` of each vulnerability, by index. */
  readonly vulnerabilityRanks: Int8Array;
  /** SPEC §2 CVSS score of each vulnerability, NaN when it has none. */
  readonly vulnerabilityCvss: Float64Array;
  /** `cveKey` of each vulnerability's ID (see order.ts): `NOT_A_CVE` for other IDs. */
  readonly vulnerabilityCves: Float64Array;
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
  /** The package type the report gives (`debian`, `npm`, `apk`, ...): which rules order its versions. */
  type: string;
  licenses: readonly string[];
}

export function buildBundleFacts(bundle: Bundle): BundleFacts {
  const vulnerabilities = bundle.vulnerabilities;
  const count = vulnerabilities.length;
  const vulnerabilityRanks = new Int8Array(count);
  const vulnerabilityCvss = new Float64Array(count);
  const vulnerabilityCves = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const vulnerability = vulnerabilities[i]!;
    vulnerabilityRanks[i] = severityRank(vulnerability.severity);
    vulnerabilityCvss[i] = bestCvss(vulnerability.cvss) ?? Number.NaN;
    vulnerabilityCves[i] = cveKey(vulnerability.id);
  }
  let sorter: VulnerabilitySorter | undefined;
  function getSorter(): VulnerabilitySorter {
    sorter ??= createVulnerabilitySorter(vulnerabilities, vulnerabilityRanks, vulnerabilityCvss, vulnerabilityCves);
    return sorter;
  }
  // The IDs that are not canonical CVE IDs (those compare by `vulnerabilityCves`) and every alias,
  // lower-cased once (aliases of vulnerability i at aliasStart[i] to aliasStart[i + 1]): the look-ups then only hash.
  let lowercaseIds: { ids: (string | undefined)[]; aliases: string[]; aliasStart: Int32Array } | undefined;
  function getLowercaseIds(): NonNullable<typeof lowercaseIds> {
    if (lowercaseIds === undefined) {
      const ids = new Array<string | undefined>(count);
      const aliases: string[] = [];
      const aliasStart = new Int32Array(count + 1);
      for (let i = 0; i < count; i++) {
        const vulnerability = vulnerabilities[i]!;
        ids[i] = vulnerabilityCves[i] === NOT_A_CVE ? vulnerability.id.toLowerCase() : undefined;
        aliasStart[i] = aliases.length;
        for (const alias of vulnerability.aliases) aliases.push(alias.toLowerCase());
      }
      aliasStart[count] = aliases.length;
      lowercaseIds = { ids, aliases, aliasStart };
    }
    return lowercaseIds;
  }
  let inventory: InstalledPackage[] | undefined;
  let names: Set<string> | undefined;
  let activation: CelActivation | undefined;
  const ruleResults = new Map<string, unknown>();
  const facts: BundleFacts = {
    bundle,
    vulnerabilityRanks,
    vulnerabilityCvss,
    vulnerabilityCves,
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
      // A canonical CVE ID equals a query ID exactly when their `cveKey`s are equal.
      const wantedCves = new Map<number, string>();
      for (const id of wanted) {
        const upper = id.toUpperCase();
        const key = cveKey(upper);
        if (key !== NOT_A_CVE && upper.toLowerCase() === id) wantedCves.set(key, id);
      }
      const { ids, aliases, aliasStart } = getLowercaseIds();
      for (let i = 0; i < count; i++) {
        const own = ids[i];
        const ownMatch = own === undefined ? wantedCves.get(vulnerabilityCves[i]!) : wanted.has(own) ? own : undefined;
        let matched = ownMatch === undefined ? undefined : [ownMatch];
        for (let a = aliasStart[i]!; a < aliasStart[i + 1]!; a++) {
          const alias = aliases[a]!;
          if (!wanted.has(alias)) continue;
          if (matched === undefined) matched = [alias];
          else if (!matched.includes(alias)) matched.push(alias);
        }
        if (matched !== undefined) found.set(i, matched);
      }
      return found;
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
      activation ??= toCelActivation(bundle, vulnerabilityCvss);
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

function buildInventory(bundle: Bundle): InstalledPackage[] {
  // The versions seen per name: one as a string (the usual case), several as a Set.
  const versionsByName = new Map<string, string | Set<string>>();
  const inventory: InstalledPackage[] = [];
  function add(name: string, version: string, type: string, licenses: readonly string[]): void {
    const versions = versionsByName.get(name);
    if (versions === undefined) {
      versionsByName.set(name, version);
    } else if (typeof versions === 'string') {
      if (versions === version) return;
      versionsByName.set(name, new Set([versions, version]));
    } else {
      if (versions.has(version)) return;
      versions.add(version);
    }
    inventory.push({ name, version, type, licenses });
  }
  const { packages, vulnerabilities } = bundle;
  for (let i = 0; i < packages.length; i++) add(packages[i]!.name, packages[i]!.version, packages[i]!.type, packages[i]!.licenses);
  for (let i = 0; i < vulnerabilities.length; i++) add(vulnerabilities[i]!.package, vulnerabilities[i]!.installedVersion, vulnerabilities[i]!.packageType, NO_LICENSES);
  return inventory;
}

const NO_LICENSES: readonly string[] = [];
