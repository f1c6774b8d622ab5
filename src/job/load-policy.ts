import { createHash } from 'node:crypto';
import { InputError, OperationError } from '../errors.ts';
import type { VexLoad } from './load-vex.ts';
import type { GitHubClient } from '../github/client.ts';
import { statusOf } from '../github/client.ts';
import { fetchFileText } from '../github/contents.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import { loadPolicySet } from '../policy/load.ts';
import type { PolicySource } from '../policy/load.ts';
import { createResolver, loadPreset } from '../policy/load-presets.ts';
import { defaultSettings } from '../policy/schema.ts';
import type { PolicySet, ResolvedSettings } from '../policy/schema.ts';

/**
 * Which policy applies (SPEC §2): the organization's `.github/image-assurance.yml` (in its `.github`
 * repository, default branch) whenever it exists, whether or not the repository lists
 * `extends: [org]`, and the repository's `.github/image-assurance.yml` at `ref` (a pull request's
 * BASE branch, else the default branch). A repository file can add policies and exceptions, never
 * drop the organization's: leaving it out, or having no file, does not. No repository file means
 * `preset:baseline` (with the organization's file, if any), and a note says so. A broken file is
 * not an exception here: it becomes `policy` problems at its lines, so the check fails and
 * annotates them.
 */

export const POLICY_FILE = '.github/image-assurance.yml';
export const DEFAULT_PRESET = 'baseline';
/** The repository that holds an organization's policy file. */
export const ORG_POLICY_REPO = '.github';

/**
 * The organization's file, fetched at most once for all the policies one job loads (a
 * re-evaluation may load several branches' policies). Pass the same object to each call.
 */
export interface OrgPolicyCache {
  pending?: Promise<OrgPolicyRead>;
}

export interface PolicyLoad {
  /** Undefined when the policy could not be loaded: `problems` says why. */
  policySet?: PolicySet;
  settings: ResolvedSettings;
  sources: string[];
  notes: string[];
  problems: OutcomeProblem[];
  /** The VEX documents `settings.vex` names, read from the same branch (see load-vex.ts); absent when not loaded. */
  vex?: VexLoad;
  /**
   * The git blob SHA of each file read from a repository, by its source name (`POLICY_FILE`, `org:…`):
   * exactly the version of the file that judged, as `git hash-object` names it, at no extra request.
   */
  blobs: Readonly<Record<string, string>>;
}

/**
 * The git blob SHA of a file's text (`git hash-object`): sha1 of "blob <bytes>\0" and the bytes of
 * the text as read (a leading byte-order mark, which decoding drops, is not among them).
 */
export function gitBlobSha(text: string): string {
  const bytes = Buffer.from(text, 'utf8');
  return createHash('sha1').update(`blob ${bytes.length}\0`).update(bytes).digest('hex');
}

export async function loadRepoPolicy(
  octokit: GitHubClient,
  target: { owner: string; repo: string; ref: string },
  orgCache: OrgPolicyCache = {},
): Promise<PolicyLoad> {
  // The organization's own `.github` repository is judged by its file alone (at `ref`), as before.
  const isOrgRepo = target.repo.toLowerCase() === ORG_POLICY_REPO;
  const orgRead = (): Promise<OrgPolicyRead> => (orgCache.pending ??= readOrgPolicy(octokit, target.owner));
  const org = async (): Promise<PolicySource | undefined> => (await orgRead()).source;
  // Both files in parallel: the organization's is one more request, never a slower one.
  const [text, orgFile] = await Promise.all([
    fetchFileText(octokit, { owner: target.owner, repo: target.repo, path: POLICY_FILE, ref: target.ref }),
    isOrgRepo ? undefined : orgRead(),
  ]);
  const orgRoot = orgFile?.source;
  const root = text === undefined ? presetRoot() : { file: POLICY_FILE, text, origin: 'repo' as const };
  const roots = orgRoot ? [orgRoot, root] : [root];
  const notes = [
    ...(orgRoot ? [`The organization's policy ${orgRoot.file} applied: it applies to every repository, with or without extends: [org].`] : []),
    ...(orgFile?.unreadableNote ? [orgFile.unreadableNote] : []),
    ...(text === undefined ? [`No ${POLICY_FILE} on ${target.ref}: preset:${DEFAULT_PRESET} applied.`] : []),
  ];
  // `extends: [org]` reads the file already fetched: it applies once, owned by the organization.
  const resolver = createResolver({ org: isOrgRepo ? () => fetchOrgPolicy(octokit, target.owner) : org });
  const blobs = Object.fromEntries(roots.filter((file) => file.origin !== 'preset').map((file) => [file.file, gitBlobSha(file.text)]));
  try {
    const policySet = await loadPolicySet(roots, resolver);
    return { policySet, settings: policySet.settings, sources: policySet.sources, notes, problems: [], blobs };
  } catch (error) {
    if (!(error instanceof InputError)) throw error;
    return { settings: defaultSettings(), sources: roots.map((file) => file.file), notes, problems: error.problems.map(toPolicyProblem), blobs };
  }
}

/** What reading the organization's file gave: the file, or a note that it could not be read. */
export interface OrgPolicyRead {
  source?: PolicySource;
  /** Set when GitHub refused the read (401/403): the check says the floor was not applied. */
  unreadableNote?: string;
}

/**
 * The organization's file. A refused read (the app is not installed on `<owner>/.github`, or may not
 * read its contents: 401/403) never drops the floor silently: the check gets a note that names the
 * repository and what to do. A missing file or repository (404) means no organization policy.
 */
async function readOrgPolicy(octokit: GitHubClient, owner: string): Promise<OrgPolicyRead> {
  try {
    const source = await fetchOrgPolicy(octokit, owner);
    return source ? { source } : {};
  } catch (error) {
    const status = error instanceof OperationError ? statusOf(error.cause) : undefined;
    if (status !== 401 && status !== 403) throw error;
    return {
      unreadableNote:
        `The organization's policy could not be read: GitHub refused ${owner}/${ORG_POLICY_REPO} (HTTP ${status}), so its floor was NOT applied to this check. ` +
        `Install the app on ${owner}/${ORG_POLICY_REPO} with "Contents: read" (or on all repositories) so that ${POLICY_FILE} there applies.`,
    };
  }
}

/** The organization's policy, or undefined when `<owner>/.github` or the file does not exist. */
async function fetchOrgPolicy(octokit: GitHubClient, owner: string): Promise<PolicySource | undefined> {
  const text = await fetchFileText(octokit, { owner, repo: ORG_POLICY_REPO, path: POLICY_FILE });
  return text === undefined ? undefined : { file: `org:${owner}/${ORG_POLICY_REPO}/${POLICY_FILE}`, text, origin: 'org' };
}

function presetRoot(): PolicySource {
  const preset = loadPreset(DEFAULT_PRESET);
  if (!preset) throw new Error(`the app's preset:${DEFAULT_PRESET} is missing from policies/`);
  return preset;
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
