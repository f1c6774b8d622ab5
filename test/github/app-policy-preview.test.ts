import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GITHUB_API } from '../helpers/github-mock.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import {
  ALPINE_311,
  arrangeRun,
  imageScan,
  checkRunBodies,
  JUICE_SHOP,
  mockAccessToken,
  mockCompare,
  mockFile,
  OWNER,
  REPO,
  mockPolicyFiles,
  POLICY_PATH,
  pullRequestPayload,
  REPO_PATH,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
} from './app-harness.ts';

/**
 * The policy preview on the pull request that changes the policy, end to end: a run on the default
 * branch is judged (its facts kept), then a pull request raises a threshold and gets the
 * `image-assurance/policy-preview` check listing exactly the images that flip.
 */

const STRICT = 'version: 1\npolicies:\n  - name: gate\n    rules:\n      severity: high\n';
const RAISED = 'version: 1\npolicies:\n  - name: gate\n    rules:\n      severity: critical\n';
const BROKEN = 'version: 1\npolicies:\n  - name: gate\n    rules:\n      severity: hihg\n';
const PR_SHA = 'e'.repeat(40);
const PR_NUMBER = 12;
const UBI_DIGEST = `sha256:${'7'.repeat(64)}`;

/** Trivy's real ubi-7 report (one high, one low), named as a pushed image with a digest. */
function ubiReport(): string {
  const report = readFixtureJson<Record<string, any>>('scans/trivy/ubi-7-comprehensive.json');
  report.ArtifactName = 'ghcr.io/acme/ubi:7';
  report.Metadata = { ...report.Metadata, RepoTags: ['ghcr.io/acme/ubi:7'], RepoDigests: [`ghcr.io/acme/ubi@${UBI_DIGEST}`] };
  return JSON.stringify(report);
}

const app = useAppUnderTest();

/** Judges the default branch's commit SHA under STRICT: three images, facts kept. */
async function judgeDefaultBranch(): Promise<void> {
  arrangeRun(app.github, {
    ref: 'master',
    repo: STRICT,
    artifacts: [
      { id: 11, name: 'image-scan-juice', files: { 'trivy.json': JUICE_SHOP } },
      { id: 12, name: 'image-scan-alpine', files: { 'trivy.json': ALPINE_311 } },
      { id: 13, name: 'image-scan-ubi', files: { 'trivy.json': ubiReport() } },
    ],
  });
  await app.deliver('workflow_run', workflowRunPayload());
}

/** What a pull request event that edits the policy file asks of GitHub, up to the preview check. */
function arrangePolicyPullRequest(proposed: string, options: { isTokenCached?: boolean } = {}): Record<string, any> {
  const { github } = app;
  const payload = pullRequestPayload('master', PR_NUMBER);
  payload.pull_request.head.sha = PR_SHA;
  // The installation token of an earlier delivery is reused until it expires.
  if (!options.isTokenCached) mockAccessToken(github);
  mockPolicyFiles(github, { ref: 'master', repo: STRICT });
  github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 9001, html_url: 'https://github.com/x/runs/9001' });
  mockCompare(github, 'master', [{ filename: POLICY_PATH }], PR_SHA);
  // The proposed file at the head; the organization's file was read once with the base's.
  mockFile(github, POLICY_PATH, PR_SHA, proposed);
  github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 9002, html_url: 'https://github.com/x/runs/9002' });
  return payload;
}

function previewCheck(): Record<string, any> {
  const previews = checkRunBodies(app.github).filter((body) => body.name === 'image-assurance/policy-preview');
  expect(previews).toHaveLength(1);
  return previews[0]!;
}

describe('the policy preview check', () => {
  it('lists exactly the images a raised threshold unblocks', async () => {
    await judgeDefaultBranch();
    const payload = arrangePolicyPullRequest(RAISED, { isTokenCached: true });
    app.github.api.get(`${REPO_PATH}/commits`).query(true).reply(200, [{ sha: SHA }]);
    app.github.api.get(`${REPO_PATH}/pulls`).query(true).reply(200, [{ number: PR_NUMBER, head: { sha: PR_SHA }, base: { ref: 'master' }, updated_at: '2026-11-26T11:00:00Z' }]);

    await app.deliver('pull_request', payload);

    app.github.assertDone();
    const check = previewCheck();
    expect(check).toMatchObject({ head_sha: PR_SHA, status: 'completed', conclusion: 'neutral' });
    expect(check.actions).toBeUndefined();
    expect(check.output.title).toBe('1 image would be unblocked, 2 unchanged, 1 change loosen the gate');
    expect(check.output.summary).toContain('| ghcr.io/acme/ubi:7 | 🚫 blocked → **✅ allowed** |  | `gate/severity` |');
    expect(check.output.summary).not.toContain('juice-shop');
    expect(check.output.summary).toContain('- 🔓 policy gate: severity raised high → critical');
    // The commit's own check is untouched by the preview: still only queued by this delivery.
    expect(checkRunBodies(app.github).filter((body) => body.name === 'image-assurance').at(-1)).toMatchObject({ head_sha: PR_SHA, status: 'queued' });
  });

  it('fails the preview at the line of a broken proposed file', async () => {
    const payload = arrangePolicyPullRequest(BROKEN);

    await app.deliver('pull_request', payload);

    app.github.assertDone();
    const check = previewCheck();
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toBe(`The proposed ${POLICY_PATH} is invalid`);
    expect(check.output.annotations).toEqual([expect.objectContaining({ path: POLICY_PATH, start_line: 5, annotation_level: 'failure' })]);
  });

  it('posts no preview when the pull request leaves the policy alone', async () => {
    const { github } = app;
    const payload = pullRequestPayload('master', PR_NUMBER);
    mockAccessToken(github);
    mockPolicyFiles(github, { ref: 'master', repo: STRICT });
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 9001, html_url: 'https://github.com/x/runs/9001' });
    mockCompare(github, 'master');

    await app.deliver('pull_request', payload);

    github.assertDone();
    expect(checkRunBodies(github).map((body) => body.name)).toEqual(['image-assurance']);
  });

  it("previews an edit of the organization's file on every repository of the installation, a line each", async () => {
    await judgeDefaultBranch();
    const { github } = app;
    const ORG_REPO_PATH = `/repos/${OWNER}/.github`;
    const ORG_POLICY = 'version: 1\npolicies:\n  - name: org-gate\n    rules:\n      severity: critical\n';
    const ORG_PROPOSED = 'version: 1\npolicies:\n  - name: org-gate\n    rules:\n      severity: high\n';
    const payload = pullRequestPayload('master', PR_NUMBER);
    payload.pull_request.head.sha = PR_SHA;
    payload.repository.name = '.github';
    payload.repository.full_name = `${OWNER}/.github`;
    // The organization's repository is judged by its own file: queued check, then the preview.
    mockFile(github, POLICY_PATH, 'master', ORG_POLICY, ORG_REPO_PATH);
    github.api.post(`${ORG_REPO_PATH}/check-runs`).reply(201, { id: 9101, html_url: 'https://github.com/x/runs/9101' });
    github.api.get(`${ORG_REPO_PATH}/compare/master...${PR_SHA}`).query(true).reply(200, { status: 'ahead', files: [{ filename: POLICY_PATH, status: 'modified' }] });
    mockFile(github, POLICY_PATH, PR_SHA, ORG_PROPOSED, ORG_REPO_PATH);
    mockFile(github, POLICY_PATH, PR_SHA, ORG_PROPOSED, ORG_REPO_PATH);
    github.api.get('/installation/repositories').query(true).reply(200, {
      total_count: 2,
      repositories: [
        { name: '.github', owner: { login: OWNER }, default_branch: 'master' },
        { name: REPO, owner: { login: OWNER }, default_branch: 'master' },
      ],
    });
    // octo-repo: its own file at its default branch, with the current and the proposed organization file.
    mockFile(github, POLICY_PATH, 'master', 'version: 1\n', REPO_PATH);
    mockFile(github, POLICY_PATH, undefined, ORG_POLICY, ORG_REPO_PATH);
    mockFile(github, POLICY_PATH, 'master', 'version: 1\n', REPO_PATH);
    github.api.get(`${REPO_PATH}/commits`).query(true).reply(200, [{ sha: SHA }]);
    github.api.get(`${REPO_PATH}/pulls`).query(true).reply(200, []);
    github.api.post(`${ORG_REPO_PATH}/check-runs`).reply(201, { id: 9102, html_url: 'https://github.com/x/runs/9102' });

    await app.deliver('pull_request', payload);

    github.assertDone();
    const preview = github.log.filter((entry) => entry.method === 'POST' && entry.path === `${ORG_REPO_PATH}/check-runs`).map((entry) => entry.body as Record<string, any>).find((body) => body.name === 'image-assurance/policy-preview');
    expect(preview).toMatchObject({ head_sha: PR_SHA, conclusion: 'neutral' });
    expect(preview!.output.title).toBe('1 repository replayed: 1 image would change verdict');
    expect(preview!.output.summary).toContain(`| ${OWNER}/${REPO} | 1 image would be blocked, 2 unchanged |`);
  });

  it('previews a pull request that only adds a VEX file the policy reads: the statement unblocks the image', async () => {
    const { github } = app;
    const vexPolicy = ['version: 1', 'settings:', '  vex: [".vex/*.json"]', 'policies:', '  - name: no-critical', '    rules:', '      severity: critical', ''].join('\n');
    const alpine = readFixtureJson<Record<string, any>>('scans/trivy/alpine-39.json');
    alpine.Metadata = { ...alpine.Metadata, RepoDigests: [`ghcr.io/aquasecurity/trivy-test-images@sha256:${'3'.repeat(64)}`] };
    const notAffected = readFileSync(new URL('../fixtures/vex/alpine-39.openvex.json', import.meta.url), 'utf8');
    const tree = (ref: string, paths: string[]): void => {
      github.api
        .get((uri) => decodeURIComponent(new URL(uri, GITHUB_API).pathname) === `${REPO_PATH}/git/trees/${ref}`)
        .query({ recursive: '1' })
        .reply(200, { sha: 'f'.repeat(40), truncated: false, tree: paths.map((path) => ({ path, type: 'blob', mode: '100644', sha: 'e'.repeat(40) })) });
    };
    // The default branch is judged with no VEX file: blocked, its facts kept.
    arrangeRun(github, { ref: 'master', repo: vexPolicy, artifacts: imageScan(JSON.stringify(alpine)) });
    tree('master', ['README.md']);
    await app.deliver('workflow_run', workflowRunPayload());
    // The pull request adds .vex/musl.json and leaves the policy alone.
    const payload = pullRequestPayload('master', PR_NUMBER);
    payload.pull_request.head.sha = PR_SHA;
    mockPolicyFiles(github, { ref: 'master', repo: vexPolicy });
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 9001, html_url: 'https://github.com/x/runs/9001' });
    mockCompare(github, 'master', [{ filename: '.vex/musl.json' }], PR_SHA);
    tree('master', ['README.md']);
    tree(PR_SHA, ['README.md', '.vex/musl.json']);
    mockFile(github, '.vex/musl.json', PR_SHA, notAffected);
    github.api.get(`${REPO_PATH}/commits`).query(true).reply(200, [{ sha: SHA }]);
    github.api.get(`${REPO_PATH}/pulls`).query(true).reply(200, []);
    github.api.post(`${REPO_PATH}/check-runs`).reply(201, { id: 9002, html_url: 'https://github.com/x/runs/9002' });

    await app.deliver('pull_request', payload);

    github.assertDone();
    const check = previewCheck();
    expect(check.output.title).toBe('1 image would be unblocked, 0 unchanged');
    expect(check.output.summary).toContain('| ghcr.io/aquasecurity/trivy-test-images:alpine-39 | 🚫 blocked → **✅ allowed** |  | `no-critical/severity` |');
  });
});
