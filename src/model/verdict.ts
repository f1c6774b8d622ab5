import type { FindingSeverity } from './severity.ts';

/**
 * The verdict: the JSON contract of SPEC §3 (`--format json` prints a `Verdict`), and the one
 * input of every renderer. Field names follow the contract (snake_case where it is snake_case).
 */

/** A rule's key exactly as written in the policy file (SPEC §3). */
export const RULE_KEYS = [
  'severity',
  'fixable_severity',
  'max_cvss',
  'cves',
  'packages.deny',
  'packages.require',
  'root_user',
  'base_images',
  'secrets',
  'malware',
  'misconfigurations',
  'compliance',
  'licenses',
  'oval',
  'custom',
] as const;
export type RuleKey = (typeof RULE_KEYS)[number];

/**
 * How a failed policy counts: `block` blocks the image, `warn` is reported, `shadow` is listed as
 * "would block" and never changes the verdict (a `shadow` policy, or a block policy before its
 * `enforce_from` day).
 */
export type Enforcement = 'block' | 'warn' | 'shadow';

/**
 * Whether the change under review brought a finding (issue 11): `introduced` (not in the
 * baseline), `inherited` (in it), `newly_disclosed` (the package was in the baseline, the
 * scanner's database learned of the vulnerability since). Without a baseline: `introduced`.
 */
export const ATTRIBUTIONS = ['introduced', 'inherited', 'newly_disclosed'] as const;
export type Attribution = (typeof ATTRIBUTIONS)[number];

/** A policy's `findings`: which findings can block: `all`, or only those the change `introduced`. */
export const FINDINGS_MODES = ['all', 'introduced'] as const;
export type FindingsMode = (typeof FINDINGS_MODES)[number];

/**
 * What a finding was compared with: the stored facts of the same image at the pull request's
 * merge base, else the latest default-branch facts (`sha` says which commit), reports given with
 * `--baseline`, or `none` (every finding counts as introduced).
 */
export interface BaselineRef {
  source: 'merge-base' | 'default-branch' | 'reports' | 'none';
  /** The default-branch commit whose scan is the baseline. */
  sha?: string;
  /** The baseline image's digest. */
  digest?: string;
}

export interface Violation {
  rule: RuleKey;
  /** The finding's ID: CVE/GHSA, secret rule, check ID, package name, license, signature, OVAL id, custom rule name, `user`, `base-image`. */
  id: string;
  package?: string;
  version?: string;
  severity?: FindingSeverity;
  cvss?: number;
  fixed_version?: string;
  /** One sentence a developer can act on. */
  message: string;
  /** Where the finding is: a file path in the image, a Dockerfile line. */
  location?: { path: string; line?: number };
  /**
   * A vulnerability found in several copies of one package (another version, another path: three
   * lodash in node_modules) is one violation (SPEC §3: one per rule, finding ID and package), of its
   * most severe copy; the other copies the rule also matched are listed here, in violation order.
   */
  other_copies?: PackageCopy[];
  /**
   * Whether the change brought it (see Attribution); `introduced` when nothing was compared. The
   * engine sets it on every violation; rules leave it to the engine, and verdicts stored before it
   * existed lack it (read as `introduced`).
   */
  attribution?: Attribution;
}

/** Another copy of a violation's package with the same finding. */
export interface PackageCopy {
  version: string;
  fixed_version?: string;
  location?: { path: string };
}

/** A suppressed finding names exactly one of: the exception's `id`, or the VEX statement (`vex`). */
export type SuppressedFinding = Violation & { exception?: string; vex?: VexUse };

export interface ExceptionUse {
  id: string;
  expires: string;
  expired: boolean;
  reason: string;
  /** The policy file the exception is written in. */
  source: string;
  /** How many findings it suppressed in this policy (0 when expired). */
  suppressed: number;
}

export interface PolicyVerdict {
  name: string;
  /** The enforcement in force at `evaluated_at`: a block policy before its `enforce_from` day is `shadow`. */
  enforcement: Enforcement;
  /** A block policy's first enforced day (UTC), `YYYY-MM-DD`, when the policy sets one. */
  enforce_from?: string;
  /** The file the policy comes from: `.github/image-assurance.yml`, `org:.github/image-assurance.yml`, `preset:production`. */
  source: string;
  description?: string;
  passed: boolean;
  /** Most severe first. */
  violations: Violation[];
  /** The findings an unexpired exception or a VEX statement suppressed (kept, not thrown away). */
  suppressed: SuppressedFinding[];
  /** Set when the policy says `findings: introduced`; absent means `all`. */
  findings?: FindingsMode;
  /**
   * Under `findings: introduced`: the inherited and newly disclosed findings, which do not block
   * and are shown as warnings. Absent under `findings: all` (every finding is in `violations`).
   */
  warnings?: Violation[];
  /** Exceptions that matched a finding of this image under this policy, expired ones included. */
  exceptions: ExceptionUse[];
}

/** `blocked`: a block policy failed; `warned`: only warn policies failed; `allowed`: none failed. */
export type ImageStatus = 'blocked' | 'warned' | 'allowed';

export interface ImageVerdict {
  /** The normalized reference, `registry/repository[:tag]`. */
  image: string;
  digest?: string;
  image_id?: string;
  allowed: boolean;
  status: ImageStatus;
  /** True when no policy scoped the image; `settings.unscoped_images` then decided `allowed`. */
  unscoped: boolean;
  /** Only the policies whose scope matched the image. */
  policies: PolicyVerdict[];
  /** What the findings were attributed against; absent when no baseline was asked for. */
  baseline?: BaselineRef;
  reports: { path: string; format: string; tool: string }[];
  /** VEX statements that matched a finding of this image but no longer suppress it: older than `settings.vex_max_age_days`, or undated. Present only when there is one. */
  stale_vex?: StaleVex[];
}

export interface Verdict {
  allowed: boolean;
  /** ISO time the evaluation used as `now`. */
  evaluated_at: string;
  context: { branch?: string; environment?: string };
  /** Every policy file that applied, in `extends` order, e.g. `["preset:baseline", ".github/image-assurance.yml"]`. */
  sources: string[];
  images: ImageVerdict[];
}

/** The VEX statement that suppressed a finding (issue 11), as the JSON verdict shows it. */
export interface VexUse {
  /** The VEX document's file: a repository path, `org:<org>/.github/<path>`, or the CLI's `--vex` path. */
  document: string;
  /** The statement's JSON path in the document, e.g. `statements[3]`. */
  statement: string;
  /** The ID the statement names (the finding's ID or one of its aliases). */
  vulnerability: string;
  status: 'not_affected' | 'fixed' | 'affected' | 'under_investigation';
  justification?: string;
  impact_statement?: string;
  /** When the statement was made or last updated (ISO 8601), when the document says. */
  timestamp?: string;
}

/** A VEX statement that would have suppressed a finding but is older than `settings.vex_max_age_days` (or undated). */
export interface StaleVex extends VexUse {
  /** Whole days since `timestamp`; absent when the statement has no date. */
  age_days?: number;
}
