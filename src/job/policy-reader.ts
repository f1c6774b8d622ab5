import type { GitHubClient } from '../github/client.ts';
import type { ResolvedSettings } from '../policy/schema.ts';
import { loadRepoPolicy } from './load-policy.ts';
import type { OrgPolicyCache, PolicyLoad } from './load-policy.ts';
import { withVex } from './load-vex.ts';

/**
 * The policies one job reads: each branch's file at most once, with the VEX documents it names
 * when asked, and the organization's file once for all of them. An orchestrator, the steps it
 * calls and its final guard share one reader, so the guard knows the check's name (the settings
 * read so far) without a result passed out through a closure, and a job that judges several runs
 * or bases never reads the same file twice.
 */
export interface PolicyReader {
  /** The repository's policy at `ref` (SPEC §2), read once. */
  load(ref: string): Promise<PolicyLoad>;
  /** The same, with the VEX documents its settings name, read from the same branch. */
  loadWithVex(ref: string): Promise<PolicyLoad>;
  /**
   * The settings that name the commit's check: the default branch's when it was read, else the
   * first branch's read; undefined before any policy was read (the guard then uses the defaults).
   */
  checkSettings(): ResolvedSettings | undefined;
}

export function createPolicyReader(octokit: GitHubClient, repository: { owner: string; repo: string; defaultBranch: string }): PolicyReader {
  const orgCache: OrgPolicyCache = {};
  const plain = new Map<string, Promise<PolicyLoad>>();
  const withDocuments = new Map<string, Promise<PolicyLoad>>();
  const settled = new Map<string, ResolvedSettings>();
  const target = (ref: string) => ({ owner: repository.owner, repo: repository.repo, ref });

  function load(ref: string): Promise<PolicyLoad> {
    let pending = plain.get(ref);
    if (pending === undefined) {
      pending = loadRepoPolicy(octokit, target(ref), orgCache).then((policy) => {
        settled.set(ref, policy.settings);
        return policy;
      });
      plain.set(ref, pending);
    }
    return pending;
  }

  return {
    load,
    loadWithVex(ref) {
      let pending = withDocuments.get(ref);
      if (pending === undefined) {
        pending = load(ref).then((policy) => withVex(octokit, target(ref), policy));
        withDocuments.set(ref, pending);
      }
      return pending;
    },
    checkSettings() {
      return settled.get(repository.defaultBranch) ?? settled.values().next().value;
    },
  };
}
