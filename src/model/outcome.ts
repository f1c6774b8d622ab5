import type { Enforcement, ImageVerdict, Verdict } from './verdict.ts';

/**
 * What one commit's check shows: the verdict over every image judged for that SHA so far, plus
 * the problems that kept something from being judged. Every problem fails the check (fail closed).
 */

export const PROBLEM_KINDS = [
  'policy', // the policy file is broken: annotated at its lines
  'report', // a report could not be read or grouped
  'artifact', // an artifact could not be downloaded or unpacked (410 expired, zip limits, 404)
  'missing-scan', // a completed run left no report, and settings.missing_scan is fail
  'fork', // a fork's run cannot vouch for its own image (settings.forks: untrusted)
  'unscanned', // an image was published with no verdict for its digest
  'vex', // a VEX document that settings.vex names could not be read (issue 11)
  'internal', // GitHub or the store failed; the evaluation did not finish
] as const;
export type ProblemKind = (typeof PROBLEM_KINDS)[number];

export interface OutcomeProblem {
  kind: ProblemKind;
  message: string;
  /** For annotations: the file in the repository (policy file, Dockerfile) or the report path. */
  file?: string;
  line?: number;
  col?: number;
}

/** The workflow run a part of the outcome came from. */
export interface RunRef {
  id: number;
  name: string;
  url: string;
}

export interface Outcome {
  verdict: Verdict;
  problems: OutcomeProblem[];
  /** Things a reader should know that change nothing: "No .github/image-assurance.yml on main; preset:baseline applied". */
  notes: string[];
  runs: RunRef[];
  /**
   * Per policy name, its record over the repository's recent commits (the app only): a shadow or
   * not-yet-enforced policy's section says "would have blocked N of the last M commits judged here".
   */
  policyHistory?: Record<string, PolicyHistorySummary>;
}

/** One policy's outcome for a commit: `failed` when it failed for any image (a shadow policy: would have blocked). */
export interface PolicyOutcome {
  name: string;
  enforcement: Enforcement;
  failed: boolean;
}

export interface PolicyHistorySummary {
  /** Commits the policy failed for (would have blocked, for a shadow policy). */
  failed: number;
  /** Commits it judged. */
  judged: number;
  /** The window, in days. */
  days: number;
}

export type CheckConclusion = 'success' | 'failure' | 'neutral';

export type { ImageVerdict, Verdict };
