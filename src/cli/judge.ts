import { groupReports } from '../bundles/group-reports.ts';
import { evaluate } from '../engine/evaluate.ts';
import { matchBaselines } from '../engine/match-baselines.ts';
import type { Verdict } from '../model/verdict.ts';
import { loadPolicySet, type PolicySource } from '../policy/load.ts';
import { createResolver } from '../policy/load-presets.ts';
import type { CliIo } from './io.ts';
import { DEFAULT_POLICY_FILE, loadPolicySource, loadReports, loadVexDocuments, policyFileExists, readStdin, STDIN } from './load-inputs.ts';

/** One evaluation as the command line asks for it (`evaluate`'s flags, or one case of a `test` file). */
export interface JudgeRequest {
  /** Policy files or `preset:NAME`; none means the default (see {@link defaultPolicyRef}). */
  policies: readonly string[];
  /** Report files and folders; `-` is standard input. */
  reports: readonly string[];
  /** The reports of the image the change starts from: each finding is then introduced, inherited or newly disclosed. */
  baseline?: readonly string[];
  image?: string;
  branch?: string;
  environment?: string;
  orgPolicy?: string;
  /** VEX documents (files and folders): their statements suppress the vulnerability findings they clear. */
  vex?: readonly string[];
  now: Date;
  /** Relative paths are read from here. */
  cwd: string;
}

/**
 * 1. read the policy files and resolve `extends`;
 * 2. read every report (and standard input for `-`) and group them into bundles, and every VEX document;
 * 3. with a baseline, read the baseline image's reports and pair each image with its baseline;
 * 4. evaluate.
 */
export async function judge(request: JudgeRequest, io: CliIo): Promise<Verdict> {
  // 1. policies
  const refs = request.policies.length > 0 ? request.policies : [defaultPolicyRef(request.cwd)];
  const roots = refs.map((ref) => loadPolicySource(ref, request.cwd));
  const orgSource: PolicySource | undefined = request.orgPolicy === undefined ? undefined : { ...loadPolicySource(request.orgPolicy, request.cwd), origin: 'org' };
  const policySet = await loadPolicySet(roots, createResolver({ org: async () => orgSource }));

  // 2. reports → bundles
  const stdin = request.reports.includes(STDIN) ? await readStdin(io.stdin) : undefined;
  const reports = loadReports(request.reports, request.cwd, stdin === undefined ? {} : { stdin });
  const bundles = groupReports(reports, request.image === undefined ? {} : { image: request.image });
  const vex = loadVexDocuments(request.vex ?? [], request.cwd);

  // 3. the baseline image's reports, when given
  const baselines = request.baseline === undefined ? undefined : matchBaselines(bundles, groupReports(loadReports(request.baseline, request.cwd)), { source: 'reports' });

  // 4. evaluate
  return evaluate(bundles, policySet, {
    now: request.now,
    vex,
    ...(baselines === undefined ? {} : { baselines }),
    ...(request.branch === undefined ? {} : { branch: request.branch }),
    ...(request.environment === undefined ? {} : { environment: request.environment }),
  });
}

/** Without `--policy`: `.github/image-assurance.yml` when it exists, else `preset:baseline` (SPEC §3). */
export function defaultPolicyRef(cwd: string): string {
  return policyFileExists(cwd) ? DEFAULT_POLICY_FILE : 'preset:baseline';
}
