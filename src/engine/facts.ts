import type { Bundle } from '../model/bundle.ts';
import { severityRank } from '../model/severity.ts';
import { type CelActivation, toCelActivation } from './cel.ts';
import { bestCvss } from './cvss.ts';

/**
 * What the rules need about one bundle, computed once and shared by every policy: per-vulnerability
 * severity rank and best CVSS score eagerly (every vulnerability rule reads them), lowercase IDs, the
 * set of package names and the CEL activation lazily (only some rules need them).
 */
export interface BundleFacts {
  readonly bundle: Bundle;
  /** `severityRank` of each vulnerability, by index. */
  readonly vulnerabilityRanks: Int8Array;
  /** SPEC §2 CVSS score of each vulnerability, NaN when it has none. */
  readonly vulnerabilityCvss: Float64Array;
  /** `[id, ...aliases]` lowercased, by index. */
  vulnerabilityIds(): readonly (readonly string[])[];
  /**
   * Every installed package the reports name: the package lists, plus the packages that only
   * vulnerabilities name (a Trivy report without `--list-all-pkgs` has no package list). Unique by name and version.
   */
  inventory(): readonly InstalledPackage[];
  /** The names in `inventory()`. */
  packageNames(): ReadonlySet<string>;
  celActivation(): CelActivation;
}

export interface InstalledPackage {
  name: string;
  version: string;
  licenses: readonly string[];
}

export function buildBundleFacts(bundle: Bundle): BundleFacts {
  const count = bundle.vulnerabilities.length;
  const vulnerabilityRanks = new Int8Array(count);
  const vulnerabilityCvss = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    const vulnerability = bundle.vulnerabilities[i]!;
    vulnerabilityRanks[i] = severityRank(vulnerability.severity);
    vulnerabilityCvss[i] = bestCvss(vulnerability.cvss) ?? Number.NaN;
  }
  let ids: string[][] | undefined;
  let inventory: InstalledPackage[] | undefined;
  let names: Set<string> | undefined;
  let activation: CelActivation | undefined;
  return {
    bundle,
    vulnerabilityRanks,
    vulnerabilityCvss,
    vulnerabilityIds() {
      ids ??= bundle.vulnerabilities.map((v) => lowercaseIds(v.id, v.aliases));
      return ids;
    },
    inventory() {
      inventory ??= buildInventory(bundle);
      return inventory;
    },
    packageNames() {
      names ??= new Set(this.inventory().map((p) => p.name));
      return names;
    },
    celActivation() {
      activation ??= toCelActivation(bundle);
      return activation;
    },
  };
}

export function lowercaseIds(id: string, aliases: readonly string[]): string[] {
  const ids = [id.toLowerCase()];
  for (const alias of aliases) ids.push(alias.toLowerCase());
  return ids;
}

function buildInventory(bundle: Bundle): InstalledPackage[] {
  const seen = new Set<string>();
  const inventory: InstalledPackage[] = [];
  for (const p of bundle.packages) {
    const key = `${p.name}\u0000${p.version}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inventory.push({ name: p.name, version: p.version, licenses: p.licenses });
  }
  for (const v of bundle.vulnerabilities) {
    const key = `${v.package}\u0000${v.installedVersion}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inventory.push({ name: v.package, version: v.installedVersion, licenses: [] });
  }
  return inventory;
}
