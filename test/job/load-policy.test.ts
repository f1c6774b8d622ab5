import { execFileSync } from 'node:child_process';
import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadRepoPolicy } from '../../src/job/load-policy.ts';
import type { OrgPolicyCache } from '../../src/job/load-policy.ts';
import { mockFile, mockPolicyFiles, OWNER, POLICY_PATH, REPO, REPO_PATH } from '../github/app-harness.ts';
import { createGitHubMock, type GitHubMock } from '../helpers/github-mock.ts';

const ORG_FILE = `org:${OWNER}/.github/${POLICY_PATH}`;
const ORG = 'version: 1\nsettings:\n  missing_scan: fail\npolicies:\n  - name: org-no-critical\n    rules: { severity: critical }\n';

function octokit(): InstanceType<typeof ProbotOctokit> {
  return new ProbotOctokit({ auth: { token: 'test' }, retry: { enabled: false }, throttle: { enabled: false } });
}

let github: GitHubMock;
beforeEach(() => {
  github = createGitHubMock();
});
afterEach(() => {
  github.restore();
});

describe('src/job/load-policy', () => {
  it("reads the organization's file once for the policies of several branches that share a cache", async () => {
    mockPolicyFiles(github, { ref: 'main', repo: 'version: 1\nsettings:\n  missing_scan: ignore\n', org: ORG });
    mockFile(github, POLICY_PATH, 'release/1.x', undefined, REPO_PATH);
    const cache: OrgPolicyCache = {};

    const main = await loadRepoPolicy(octokit(), { owner: OWNER, repo: REPO, ref: 'main' }, cache);
    const release = await loadRepoPolicy(octokit(), { owner: OWNER, repo: REPO, ref: 'release/1.x' }, cache);

    github.assertDone();
    expect(main.sources).toEqual([ORG_FILE, POLICY_PATH]);
    expect(main.settings.missing_scan).toBe('fail');
    expect(main.notes).toEqual([`The organization's policy ${ORG_FILE} applied: it applies to every repository, with or without extends: [org].`]);
    expect(release.sources).toEqual([ORG_FILE, 'preset:baseline']);
    expect(new Set(release.policySet?.policies.map((policy) => `${policy.source} owned by ${policy.owner}`))).toEqual(
      new Set([`${ORG_FILE} owned by ${ORG_FILE}`, 'preset:baseline owned by preset:baseline']),
    );
    expect(release.notes).toHaveLength(2);
  });

  it('says nothing of an organization that has no policy file', async () => {
    mockPolicyFiles(github, { ref: 'main', repo: 'version: 1\n' });

    const load = await loadRepoPolicy(octokit(), { owner: OWNER, repo: REPO, ref: 'main' });

    github.assertDone();
    expect(load.sources).toEqual([POLICY_PATH]);
    expect(load.notes).toEqual([]);
    expect(load.problems).toEqual([]);
  });

  it("names the organization's file in a problem of the organization's file, without an annotation place", async () => {
    mockPolicyFiles(github, { ref: 'main', org: 'version: 2\n' });

    const load = await loadRepoPolicy(octokit(), { owner: OWNER, repo: REPO, ref: 'main' });

    github.assertDone();
    expect(load.policySet).toBeUndefined();
    expect(load.sources).toEqual([ORG_FILE, 'preset:baseline']);
    expect(load.problems).toEqual([{ kind: 'policy', message: expect.stringMatching(new RegExp(`^${ORG_FILE.replaceAll('.', '\\.')}:1:10: `)) }]);
  });

  it('names each file it read from a repository by its git blob SHA, as git hash-object does; presets by name only', async () => {
    const repoText = 'version: 1\n# ünïcode, and a final newline\npolicies:\n  - name: p\n    rules:\n      severity: critical\n';
    const orgText = 'version: 1\npolicies:\n  - name: org\n    rules:\n      secrets: deny\n';
    mockPolicyFiles(github, { ref: 'main', repo: repoText, org: orgText });

    const load = await loadRepoPolicy(octokit(), { owner: OWNER, repo: REPO, ref: 'main' });

    const git = (text: string) => execFileSync('git', ['hash-object', '--stdin'], { input: text, encoding: 'utf8' }).trim();
    expect(load.blobs).toEqual({ [POLICY_PATH]: git(repoText), [ORG_FILE]: git(orgText) });
  });
});
