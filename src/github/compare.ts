import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError } from './client.ts';

/** GitHub lists at most this many files of a comparison; a longer list may be cut. */
export const MAX_COMPARE_FILES = 300;

/**
 * Where `head` stands against `base` (GET /repos/{owner}/{repo}/compare/{basehead}, `status` in
 * GitHub's REST description): `identical` or `behind` mean `head` is already on `base`.
 */
export type CompareStatus = 'identical' | 'behind' | 'ahead' | 'diverged';

export interface ChangedFiles {
  status: CompareStatus;
  /** Every path the comparison touches, renamed files under both names. */
  paths: Set<string>;
  /** False when GitHub may have left files out (it lists 300 at most). */
  isComplete: boolean;
  /** Where `head` left `base`: the commit both share. */
  mergeBaseSha?: string;
}

/**
 * The files `head` changed since it left `base` (a three-dot comparison, from the merge base): a
 * base branch that moved on since does not count as a change of the head. One request; the first
 * page carries the files, so one commit per page is enough.
 */
export async function fetchChangedFiles(octokit: GitHubClient, target: { owner: string; repo: string; base: string; head: string }): Promise<ChangedFiles> {
  try {
    const { data } = await octokit.rest.repos.compareCommitsWithBasehead({
      owner: target.owner,
      repo: target.repo,
      basehead: `${target.base}...${target.head}`,
      per_page: 1,
    });
    const files = data.files ?? [];
    const paths = new Set(files.flatMap((file) => (file.previous_filename ? [file.filename, file.previous_filename] : [file.filename])));
    return { status: data.status, paths, isComplete: files.length < MAX_COMPARE_FILES, ...(data.merge_base_commit?.sha ? { mergeBaseSha: data.merge_base_commit.sha } : {}) };
  } catch (error) {
    throw new OperationError(`could not compare ${target.head} with ${target.base} (${describeGitHubError(error)})`, { cause: error });
  }
}
