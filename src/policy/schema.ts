import { z } from 'zod';
import { SEVERITIES } from '../model/severity.ts';
import { FINDINGS_MODES } from '../model/verdict.ts';

/**
 * The policy file `.github/image-assurance.yml` (SPEC §2). This zod schema is the single source of
 * truth: the loader validates with it, `policies/schema.json` is generated from it, and the README's
 * reference follows it. Every object is strict: an unknown key is an error.
 */

export const COMMENT_MODES = ['always', 'on-failure', 'never'] as const;
export const MISSING_SCAN_MODES = ['fail', 'ignore'] as const;
export const FORK_MODES = ['untrusted', 'trusted'] as const;
export const UNSCOPED_MODES = ['allow', 'block'] as const;
export const WORKFLOW_CHANGE_MODES = ['untrusted', 'reviewed', 'trusted'] as const;
export const ENFORCEMENTS = ['block', 'warn', 'shadow'] as const;

const Glob = z.string().min(1);
/** A list that, when given, names at least one entry: an empty list is almost always a mistake. */
const GlobList = z.array(Glob).min(1);
const IdList = z.array(z.string().min(1)).min(1);
const SeverityThreshold = z.enum(SEVERITIES);
const DenyOrAllow = z.enum(['deny', 'allow']);

/** `YYYY-MM-DD`, a real calendar date. */
export const IsoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'expected a date as YYYY-MM-DD')
  .refine((value) => {
    const date = new Date(`${value}T00:00:00Z`);
    return !Number.isNaN(date.getTime()) && date.toISOString().slice(0, 10) === value;
  }, 'expected a calendar date (YYYY-MM-DD) that exists');

export const SETTINGS_DEFAULTS = {
  artifacts: ['image-scan*'],
  check_name: 'image-assurance',
  comment: 'on-failure',
  missing_scan: 'fail',
  forks: 'untrusted',
  unscoped_images: 'allow',
  workflow_changes: 'untrusted',
  protected_paths: [],
  vex_max_age_days: 180,
  scan_workflows: [],
} as const satisfies Omit<ResolvedSettings, 'artifacts' | 'protected_paths' | 'scan_workflows'> & {
  artifacts: readonly string[];
  protected_paths: readonly string[];
  scan_workflows: readonly (readonly string[])[];
};

/** The settings when no file sets any: fresh lists, so callers may change them. */
export function defaultSettings(): ResolvedSettings {
  return { ...SETTINGS_DEFAULTS, artifacts: [...SETTINGS_DEFAULTS.artifacts], protected_paths: [], scan_workflows: [] };
}

export const Settings = z
  .object({
    artifacts: GlobList.describe('Globs on workflow artifact names that hold reports.')
      .meta({ default: [...SETTINGS_DEFAULTS.artifacts] })
      .optional(),
    check_name: z
      .string()
      .min(1)
      .max(100)
      .describe('The check run name; make it a required status check.')
      .meta({ default: SETTINGS_DEFAULTS.check_name })
      .optional(),
    comment: z.enum(COMMENT_MODES).describe('When to write the sticky PR comment.').meta({ default: SETTINGS_DEFAULTS.comment }).optional(),
    missing_scan: z
      .enum(MISSING_SCAN_MODES)
      .describe("A pull request's completed run with no report for an image: fail or ignore. The organization's value is a floor.")
      .meta({ default: SETTINGS_DEFAULTS.missing_scan })
      .optional(),
    forks: z
      .enum(FORK_MODES)
      .describe("Reports from fork pull requests' runs: untrusted (the check fails and says why) or trusted. The organization's value is a floor.")
      .meta({ default: SETTINGS_DEFAULTS.forks })
      .optional(),
    unscoped_images: z
      .enum(UNSCOPED_MODES)
      .describe("An image that no policy scopes: allow or block. The organization's value is a floor.")
      .meta({ default: SETTINGS_DEFAULTS.unscoped_images })
      .optional(),
    workflow_changes: z
      .enum(WORKFLOW_CHANGE_MODES)
      .describe(
        "Reports from a run whose workflow file (or a protected path) the change edits: untrusted (the check fails and says why), reviewed (they count once the pull request's head commit has an approving review from someone with write access who is not its author, e.g. for Dependabot's action updates) or trusted. The organization's value is a floor (untrusted > reviewed > trusted).",
      )
      .meta({ default: SETTINGS_DEFAULTS.workflow_changes })
      .optional(),
    protected_paths: GlobList.describe(
      'Files the scan depends on besides its workflow (scan scripts, local actions, scanner configuration): reports from a run whose change edits one of them are not trusted. The lists of every file that applies add up, so an organization\'s entries cannot be removed.',
    )
      .meta({ default: [] })
      .optional(),
    scan_workflows: GlobList.describe(
      "Globs on workflow file paths (.github/workflows/scan.yml) whose runs' artifacts are read; the artifacts of other workflows are not read, and the check says so. The organization's list is a floor: a workflow must match it and the repository's list.",
    )
      .meta({ default: ['**'] })
      .optional(),
    vex: GlobList.describe(
      "Globs on paths of VEX documents (OpenVEX 0.2, CycloneDX VEX 1.4+, CSAF 2.0 VEX) in the repository that holds this file, read from the same branch as the policy (never from a pull request's head). The organization's globs name files in its .github repository and apply to every repository.",
    ).optional(),
    vex_max_age_days: z
      .number()
      .int()
      .min(1)
      .describe("A VEX statement older than this many days no longer suppresses findings; the verdict lists it as stale. The organization's value is a ceiling.")
      .meta({ default: SETTINGS_DEFAULTS.vex_max_age_days })
      .optional(),
  })
  .strict()
  .describe('How the app finds reports and answers. Each key is optional; a repository file overrides the organization, except that it can only make missing_scan, forks, unscoped_images and workflow_changes stricter.');
export type Settings = z.infer<typeof Settings>;

export type ResolvedSettings = {
  artifacts: string[];
  check_name: string;
  comment: (typeof COMMENT_MODES)[number];
  missing_scan: (typeof MISSING_SCAN_MODES)[number];
  forks: (typeof FORK_MODES)[number];
  unscoped_images: (typeof UNSCOPED_MODES)[number];
  workflow_changes: (typeof WORKFLOW_CHANGE_MODES)[number];
  protected_paths: string[];
  vex_max_age_days: number;
  /**
   * `scan_workflows`: a run's workflow file must match a glob of EACH list (every organization
   * list is a floor; the last other file's list applies too). No list: every workflow.
   */
  scan_workflows: string[][];
};

export const Scope = z
  .object({
    images: GlobList.describe('Globs on registry/repository; docker.io/library/ is filled in for bare names.').optional(),
    registries: GlobList.describe('Globs on the registry host: ghcr.io, docker.io, *.dkr.ecr.*.amazonaws.com.').optional(),
    tags: GlobList.describe('Globs on the image tag.').optional(),
    labels: z.record(z.string().min(1), Glob).describe('Image config labels; values are globs.').optional(),
    branches: GlobList.describe("The run's branch, or a pull request's base branch.").optional(),
    environments: GlobList.describe('Given by the caller: CLI --env, a deployment environment.').optional(),
  })
  .strict();
export type Scope = z.infer<typeof Scope>;

export const PackageMatcher = z.union([
  z.string().min(1),
  z
    .object({
      name: z.string().min(1),
      version: z.string().min(1).describe('A version or a range: "<2.17.1", ">=1.0, <1.2", "1.2.3".').optional(),
    })
    .strict(),
]);
export type PackageMatcher = z.infer<typeof PackageMatcher>;

export const CustomRule = z
  .object({
    name: z.string().regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes').describe('Unique within the policy.'),
    when: z.string().min(1).describe('A CEL expression over `bundle`; true means a violation.'),
    message: z.string().min(1).describe('Shown with the violation.'),
  })
  .strict();
export type CustomRule = z.infer<typeof CustomRule>;

export const Rules = z
  .object({
    severity: SeverityThreshold.describe('Block vulnerabilities at or above this severity.').optional(),
    fixable_severity: SeverityThreshold.describe('... at or above this severity that have a fixed version.').optional(),
    max_cvss: z.number().min(0).max(10).describe('... whose CVSS base score is >= this.').optional(),
    cves: IdList.describe('... with these IDs (aliases count).').optional(),
    packages: z
      .object({
        deny: z.array(PackageMatcher).min(1).describe('Images that contain these packages.').optional(),
        require: IdList.describe('Images that lack these packages.').optional(),
      })
      .strict()
      .describe('Packages an image must not contain (deny) or must contain (require).')
      .optional(),
    root_user: DenyOrAllow.describe('deny: images whose user is empty, root, 0 or 0:*.').optional(),
    base_images: GlobList.describe('Approved base images; an unknown base is a violation.').optional(),
    secrets: DenyOrAllow.describe('deny: any secret finding.').optional(),
    malware: DenyOrAllow.describe('deny: any malware finding.').optional(),
    misconfigurations: SeverityThreshold.describe('Failed config/compliance checks at or above this severity.').optional(),
    compliance: IdList.describe('These check IDs must not fail.').optional(),
    licenses: GlobList.describe('Packages under these SPDX IDs (globs).').optional(),
    oval: DenyOrAllow.describe('deny: any OVAL definition that reports a violation.').optional(),
    custom: z.array(CustomRule).min(1).describe('CEL rules over the normalized bundle; true = violation.').optional(),
  })
  .strict();
export type Rules = z.infer<typeof Rules>;

export const Policy = z
  .object({
    name: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'expected lowercase letters, digits and dashes')
      .describe('Unique across the file and everything it extends.'),
    description: z.string().optional(),
    enforcement: z
      .enum(ENFORCEMENTS)
      .default('block')
      .describe('block: a violation blocks the image; warn: reported, never blocks; shadow: evaluated and listed as "would block", never changes the verdict.'),
    enforce_from: IsoDate.describe(
      'YYYY-MM-DD, block policies only: before that day (UTC) the policy acts as shadow and the check says "blocks from DATE"; from that day it blocks.',
    ).optional(),
    findings: z
      .enum(FINDINGS_MODES)
      .meta({ default: 'all' })
      .optional()
      .describe(
        'Which findings can block: all, or introduced (only those the change brought, compared with the baseline: the same image at the merge base, else the latest default-branch scan; inherited and newly disclosed ones are shown as warnings). Without a baseline every finding counts as introduced.',
      ),
    scope: Scope.describe('Every key given must match; a list matches if any entry does; no scope = every image.').optional(),
    rules: Rules.default({}).describe('Every rule is optional.'),
  })
  .strict()
  .superRefine((policy, context) => {
    if (policy.enforce_from !== undefined && policy.enforcement !== 'block') {
      context.addIssue({ code: 'custom', path: ['enforce_from'], message: `enforce_from applies only to block policies; this policy's enforcement is ${policy.enforcement}` });
    }
  })
  .describe('A named set of rules with a scope and an enforcement.');
export type Policy = z.infer<typeof Policy>;

export const PolicyException = z
  .object({
    id: z.string().min(1).describe('A vulnerability ID/alias, secret rule ID, check ID or package name.'),
    policies: IdList.describe("Names of this file's policies; default all of them.").optional(),
    images: GlobList.describe('Globs on registry/repository; default all images.').optional(),
    package: z.string().min(1).describe('Only findings in this package.').optional(),
    reason: z.string().min(1).describe('Why the waiver is safe; shown in the verdict.'),
    expires: IsoDate.describe('YYYY-MM-DD; the exception applies until the end of that day, UTC, and is listed as expired after.'),
  })
  .strict()
  .describe('A waiver: suppresses matching findings for policies of the same file until it expires.');
export type PolicyException = z.infer<typeof PolicyException>;

export const EXTENDS_PATTERN = /^(org|preset:[a-z0-9-]+)$/;
export const ExtendsRef = z.string().regex(EXTENDS_PATTERN, 'expected "org" or "preset:NAME"');

export const PolicyFile = z
  .object({
    version: z.literal(1).describe('The policy file format version.'),
    extends: z
      .array(ExtendsRef)
      .describe("org = the <org>/.github repository's .github/image-assurance.yml; preset:NAME = a preset of the app.")
      .optional(),
    settings: Settings.optional(),
    policies: z.array(Policy).default([]).describe('Named sets of rules with a scope and an enforcement.'),
    exceptions: z.array(PolicyException).default([]).describe("Waivers for this file's policies, until they expire."),
  })
  .strict();
export type PolicyFile = z.infer<typeof PolicyFile>;

/** Where a loaded policy or exception came from. */
export type PolicyOrigin = 'org' | 'repo' | 'preset' | 'cli';

export interface LoadedPolicy extends Policy {
  /** The file it is written in, as shown to users: `.github/image-assurance.yml`, `org:.github/image-assurance.yml`, `preset:production`. */
  source: string;
  /** The top-level file that brought it in (the repository's or the organization's): whose exceptions may waive it. */
  owner: string;
  origin: PolicyOrigin;
}

export interface LoadedException extends PolicyException {
  source: string;
  /** The top-level file it belongs to; it applies only to policies with the same owner. */
  owner: string;
}

/** `settings.vex` of one file: globs on paths in the repository of the file's owner (the organization's `.github`, or the repository). */
export interface VexGlobs {
  /** The policy file that sets them. */
  source: string;
  /** True when the organization's file owns it: the globs then name files in `<org>/.github`. */
  isOrg: boolean;
  globs: string[];
}

/** Everything that applies to an evaluation, after `extends` is resolved. */
export interface PolicySet {
  settings: ResolvedSettings;
  /** Every file's `settings.vex`, in `extends` order; they add up. */
  vex: VexGlobs[];
  policies: LoadedPolicy[];
  exceptions: LoadedException[];
  /** Every file that applied, in `extends` order. */
  sources: string[];
}
