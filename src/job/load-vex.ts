import { InputError } from '../errors.ts';
import type { GitHubClient } from '../github/client.ts';
import { fetchFileText } from '../github/contents.ts';
import { fetchDefaultBranch, fetchFilePaths } from '../github/trees.ts';
import { matchesAnyGlob } from '../model/glob.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { VexGlobs } from '../policy/schema.ts';
import { readVexDocument } from '../vex/index.ts';
import type { VexDocument } from '../vex/schema.ts';
import { ORG_POLICY_REPO, type PolicyLoad } from './load-policy.ts';

/**
 * The VEX documents that apply (issue 11): the files `settings.vex` names, from the same place
 * the policy is read: the repository's globs on its files at `ref` (a pull request's BASE branch,
 * never its head), the organization's globs on its `.github` repository (default branch), which
 * apply to every repository. A document that cannot be read is a `vex` problem naming the file
 * and the place: the check fails (fail closed) and the other documents still apply.
 */

/** More files than this is a glob that matches too much; the check says so instead of reading them all. */
export const MAX_VEX_FILES = 50;

export interface VexLoad {
  documents: VexDocument[];
  problems: OutcomeProblem[];
  notes: string[];
}

/** The policy with the VEX documents its `settings.vex` names, read at the policy's `ref`; unchanged when it names none. */
export async function withVex(octokit: GitHubClient, target: { owner: string; repo: string; ref: string }, policy: PolicyLoad): Promise<PolicyLoad> {
  const globs = policy.policySet?.vex ?? [];
  if (globs.length === 0) return policy;
  return { ...policy, vex: await loadVexDocuments(octokit, target, globs) };
}

export async function loadVexDocuments(octokit: GitHubClient, target: { owner: string; repo: string; ref: string }, globs: readonly VexGlobs[]): Promise<VexLoad> {
  const load: VexLoad = { documents: [], problems: [], notes: [] };
  const repoGlobs = globs.filter((entry) => !entry.isOrg).flatMap((entry) => entry.globs);
  const orgGlobs = globs.filter((entry) => entry.isOrg).flatMap((entry) => entry.globs);
  const isOrgRepo = target.repo.toLowerCase() === ORG_POLICY_REPO;
  if (repoGlobs.length > 0) await loadFrom(octokit, { owner: target.owner, repo: target.repo, ref: target.ref, prefix: '' }, repoGlobs, load);
  if (orgGlobs.length > 0) {
    const ref = isOrgRepo ? target.ref : await fetchDefaultBranch(octokit, { owner: target.owner, repo: ORG_POLICY_REPO });
    if (ref === undefined) load.problems.push({ kind: 'vex', message: `settings.vex of the organization names files in ${target.owner}/${ORG_POLICY_REPO}, which cannot be read` });
    else await loadFrom(octokit, { owner: target.owner, repo: ORG_POLICY_REPO, ref, prefix: `org:${target.owner}/${ORG_POLICY_REPO}/` }, orgGlobs, load);
  }
  return load;
}

async function loadFrom(octokit: GitHubClient, source: { owner: string; repo: string; ref: string; prefix: string }, globs: readonly string[], load: VexLoad): Promise<void> {
  const where = `${source.owner}/${source.repo}@${source.ref}`;
  const listing = await fetchFilePaths(octokit, source);
  if (listing === undefined) {
    load.problems.push({ kind: 'vex', message: `settings.vex names files in ${where}, which cannot be listed` });
    return;
  }
  if (listing.isTruncated) load.notes.push(`${where} has too many files for one listing: VEX documents that settings.vex names may have been missed, so fewer findings may be suppressed.`);
  const paths = listing.paths.filter((path) => matchesAnyGlob(path, globs));
  if (paths.length === 0) {
    load.notes.push(`settings.vex (${globs.join(', ')}) matches no file in ${where}.`);
    return;
  }
  if (paths.length > MAX_VEX_FILES) {
    load.problems.push({ kind: 'vex', message: `settings.vex (${globs.join(', ')}) matches ${paths.length} files in ${where}, more than the ${MAX_VEX_FILES} read: name fewer files` });
    return;
  }
  for (const path of paths) {
    const file = `${source.prefix}${path}`;
    const text = await fetchFileText(octokit, { owner: source.owner, repo: source.repo, path, ref: source.ref });
    if (text === undefined) {
      load.problems.push({ kind: 'vex', file, message: 'the VEX document was listed but cannot be read' });
      continue;
    }
    try {
      load.documents.push(readVexDocument(file, text));
    } catch (error) {
      if (!(error instanceof InputError)) throw error;
      load.problems.push(...error.problems.map((problem): OutcomeProblem => ({ kind: 'vex', file: problem.file, message: problem.line === undefined ? problem.message : `line ${problem.line}, column ${problem.col ?? 1}: ${problem.message}` })));
    }
  }
}
