/** Severities in ascending order (SPEC §2). `unknown` meets no threshold. */
export const SEVERITIES = ['negligible', 'low', 'medium', 'high', 'critical'] as const;
export type Severity = (typeof SEVERITIES)[number];
export type FindingSeverity = Severity | 'unknown';

const RANK: Readonly<Record<FindingSeverity, number>> = {
  unknown: -1,
  negligible: 0,
  low: 1,
  medium: 2,
  high: 3,
  critical: 4,
};

/** -1 for `unknown`, so that `severityRank(s) >= severityRank(threshold)` never holds for it. */
export function severityRank(severity: FindingSeverity): number {
  return RANK[severity];
}

export function meetsThreshold(severity: FindingSeverity, threshold: Severity): boolean {
  return severity !== 'unknown' && RANK[severity] >= RANK[threshold];
}

const ALIASES: Readonly<Record<string, FindingSeverity>> = {
  negligible: 'negligible',
  low: 'low',
  medium: 'medium',
  moderate: 'medium',
  high: 'high',
  important: 'high',
  critical: 'critical',
  unknown: 'unknown',
};

/**
 * Maps a scanner's severity word to ours, case-insensitively (Trivy `HIGH`, Grype `Negligible`,
 * GHSA `moderate`, Red Hat `Important`). Anything else, or nothing, is `unknown`.
 */
export function readSeverity(raw: unknown): FindingSeverity {
  if (typeof raw !== 'string') return 'unknown';
  return ALIASES[raw.toLowerCase()] ?? 'unknown';
}
