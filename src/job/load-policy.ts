import { InputError } from '../errors.ts';
import type { GitHubClient } from '../github/client.ts';
import { fetchFileText } from '../github/contents.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import { loadPolicySet } from '../policy/load.ts';
import type { PolicySource } from '../policy/load.ts';
import { createResolver, loadPreset } from '../policy/load-presets.ts';
import { SETTINGS_DEFAULTS } from '../policy/schema.ts';
import type { PolicySet, ResolvedSettings } from '../policy/schema.ts';

/**
 * Which policy applies (SPEC §2): the repository's `.github/image-assurance.yml` at `ref` (a pull
 * request's BASE branch, else the default branch), with `extends: [org]` read from the
 * organization's `.github` repository. No file means `preset:baseline`, and a note says so. A
 * broken file is not an exception here: it becomes `policy` problems at its lines, so the check
 * fails and annotates them.
 */

export const POLICY_FILE = '.github/image-assurance.yml';
export const DEFAULT_PRESET = 'baseline';

export interface PolicyLoad {
  /** Undefined when the policy could not be loaded: `problems` says why. */
  policySet?: PolicySet;
  settings: ResolvedSettings;
  sources: string[];
  notes: string[];
  problems: OutcomeProblem[];
}

export async function loadRepoPolicy(octokit: GitHubClient, target: { owner: string; repo: string; ref: string }): Promise<PolicyLoad> {
  const text = await fetchFileText(octokit, { owner: target.owner, repo: target.repo, path: POLICY_FILE, ref: target.ref });
  const root = text === undefined ? presetRoot() : { file: POLICY_FILE, text, origin: 'repo' as const };
  const notes = text === undefined ? [`No ${POLICY_FILE} on ${target.ref}: preset:${DEFAULT_PRESET} applied.`] : [];
  const resolver = createResolver({ org: () => fetchOrgPolicy(octokit, target.owner) });
  try {
    const policySet = await loadPolicySet([root], resolver);
    return { policySet, settings: policySet.settings, sources: policySet.sources, notes, problems: [] };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { settings: defaultSettings(), sources: [root.file], notes, problems: error.problems.map(toPolicyProblem) };
  }
}

/** The organization's policy, or undefined when `<owner>/.github` or the file does not exist. */
async function fetchOrgPolicy(octokit: GitHubClient, owner: string): Promise<PolicySource | undefined> {
  const text = await fetchFileText(octokit, { owner, repo: '.github', path: POLICY_FILE });
  return text === undefined ? undefined : { file: `org:${owner}/.github/${POLICY_FILE}`, text, origin: 'org' };
}

function presetRoot(): PolicySource {
  const preset = loadPreset(DEFAULT_PRESET);
  if (!preset) throw new Error(`the app's preset:${DEFAULT_PRESET} is missing from policies/`);
  return preset;
}

function defaultSettings(): ResolvedSettings {
  return { ...SETTINGS_DEFAULTS, artifacts: [...SETTINGS_DEFAULTS.artifacts] };
}

/**
 * Only the repository's own file can carry annotations; a problem in the organization's file or
 * a preset keeps its place in the message instead.
 */
function toPolicyProblem(problem: InputError['problems'][number]): OutcomeProblem {
  if (problem.file === POLICY_FILE) {
    return { kind: 'policy', message: problem.message, file: problem.file, ...(problem.line === undefined ? {} : { line: problem.line }), ...(problem.col === undefined ? {} : { col: problem.col }) };
  }
  const place = problem.line === undefined ? problem.file : `${problem.file}:${problem.line}:${problem.col ?? 1}`;
  return { kind: 'policy', message: `${place}: ${problem.message}` };
}
