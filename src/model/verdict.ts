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
}

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
  /** The findings an unexpired exception suppressed (kept, not thrown away). */
  suppressed: (Violation & { exception: string })[];
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
  reports: { path: string; format: string; tool: string }[];
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
