import { severityRank } from '../model/severity.ts';
import type { Report, Vulnerability } from '../model/report.ts';

/**
 * The vulnerabilities of a bundle's reports. Two findings for the same vulnerability (same ID or
 * alias) in the same package and installed version, from different reports, become one: all
 * aliases and CVSS scores, a fix if any report has one, and the higher severity (fail closed).
 * A bundle whose vulnerabilities come from one report is returned as is, at no cost.
 */
export function mergeVulnerabilities(reports: readonly Report[]): Vulnerability[] {
  const sources = reports.filter((report) => report.vulnerabilities.length > 0);
  if (sources.length === 0) return [];
  if (sources.length === 1) return sources[0]!.vulnerabilities;
  const merged: Vulnerability[] = [];
  /** Which reports contributed to each merged finding: findings of one report never merge with each other. */
  const contributors: Set<number>[] = [];
  const index = new Map<string, number>();
  sources.forEach((report, reportIndex) => {
    for (const vulnerability of report.vulnerabilities) {
      const at = findExisting(index, contributors, vulnerability, reportIndex);
      if (at === undefined) {
        const copy: Vulnerability = { ...vulnerability, aliases: [...vulnerability.aliases], cvss: [...vulnerability.cvss] };
        contributors.push(new Set([reportIndex]));
        remember(index, copy, merged.length);
        merged.push(copy);
      } else {
        mergeInto(merged[at]!, vulnerability);
        contributors[at]!.add(reportIndex);
        remember(index, merged[at]!, at);
      }
    }
  });
  return merged;
}

function keyOf(id: string, vulnerability: Vulnerability): string {
  return `${vulnerability.package}\u0000${vulnerability.installedVersion}\u0000${id}`;
}

function findExisting(index: Map<string, number>, contributors: Set<number>[], vulnerability: Vulnerability, reportIndex: number): number | undefined {
  for (const id of [vulnerability.id, ...vulnerability.aliases]) {
    const at = index.get(keyOf(id, vulnerability));
    if (at !== undefined && !contributors[at]!.has(reportIndex)) return at;
  }
  return undefined;
}

function remember(index: Map<string, number>, vulnerability: Vulnerability, at: number): void {
  for (const id of [vulnerability.id, ...vulnerability.aliases]) {
    const key = keyOf(id, vulnerability);
    if (!index.has(key)) index.set(key, at);
  }
}
function mergeInto(kept: Vulnerability, other: Vulnerability): void {
  for (const alias of [other.id, ...other.aliases]) {
    if (alias !== kept.id && !kept.aliases.includes(alias)) kept.aliases.push(alias);
  }
  for (const score of other.cvss) {
    const isKnown = kept.cvss.some((c) => c.version === score.version && c.source === score.source && c.score === score.score);
    if (!isKnown) kept.cvss.push(score);
  }
  if (kept.fixedVersion === undefined && other.fixedVersion !== undefined) kept.fixedVersion = other.fixedVersion;
  if (severityRank(other.severity) > severityRank(kept.severity)) kept.severity = other.severity;
  if (kept.status === undefined && other.status !== undefined) kept.status = other.status;
  if (kept.title === undefined && other.title !== undefined) kept.title = other.title;
  if (kept.url === undefined && other.url !== undefined) kept.url = other.url;
  if (kept.path === undefined && other.path !== undefined) kept.path = other.path;
}
