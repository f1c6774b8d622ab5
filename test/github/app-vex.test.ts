import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { GITHUB_API } from '../helpers/github-mock.ts';
import { arrangeRun, finalCheckRun, imageScan, mockFile, ORG_REPO_PATH, REPO_PATH, useAppUnderTest, workflowRunPayload, mockNewComment } from './app-harness.ts';

/**
 * VEX in the app (issue 11): `settings.vex` globs name files read from the policy's branch (a pull
 * request's BASE, never its head), listed through the git trees API; the organization's globs name
 * files in its `.github` repository. The real alpine-39 Trivy report has two critical findings, both
 * CVE-2019-14697 (musl and musl-utils).
 */

const ALPINE_39 = { fixture: 'scans/trivy/alpine-39.json' };

const POLICY = ['version: 1', 'settings:', '  vex: [".vex/*.json"]', 'policies:', '  - name: no-critical', '    rules:', '      severity: critical', ''].join('\n');

/** CVE-2019-14697 not_affected in the image's musl and musl-utils (and a statement on another libssl1.1 version). */
const MUSL_NOT_AFFECTED = readFileSync(new URL('../fixtures/vex/alpine-39.openvex.json', import.meta.url), 'utf8');

const PULL_REQUEST = { number: 9, base: 'main' };

const app = useAppUnderTest();

/** GET git/trees/{ref}?recursive=1 of a repository: these blob paths. */
function mockTree(repoPath: string, ref: string, paths: string[]): void {
  app.github.api
    .get((uri) => decodeURIComponent(new URL(uri, GITHUB_API).pathname) === `${repoPath}/git/trees/${ref}`)
    .query({ recursive: '1' })
    .reply(200, { sha: 'f'.repeat(40), truncated: false, tree: paths.map((path) => ({ path, type: 'blob', mode: '100644', sha: 'e'.repeat(40) })) });
}

function mockPullRequestComment(): void {
  // Listed before posting, and again after (two jobs may post at once).
  mockNewComment(app.github, PULL_REQUEST.number);
}

describe('src/job/load-vex (app end to end)', () => {
  it("suppresses a finding by a not_affected statement in the pull request's base branch, and lists it with the document", async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: POLICY, artifacts: imageScan(ALPINE_39), compare: 'main' });
    mockTree(REPO_PATH, 'main', ['README.md', '.vex/musl.openvex.json', '.vex/old/ignored.json']);
    mockFile(github, '.vex/musl.openvex.json', 'main', MUSL_NOT_AFFECTED);
    github.api.get(`${REPO_PATH}/issues/${PULL_REQUEST.number}/comments`).query(true).reply(200, []);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: PULL_REQUEST }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('2 findings suppressed by VEX statements');
    expect(check.output.summary).toContain('VEX `.vex/musl.openvex.json statements[0]`');
    expect(check.output.summary).toContain('the image never calls the affected functions');
  });

  it("does not apply a VEX document that exists only on the pull request's head: only the base branch is listed and read", async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: POLICY, artifacts: imageScan(ALPINE_39), compare: 'main' });
    // The base branch has no VEX file; asking for the head's tree or file would be an unmatched request.
    mockTree(REPO_PATH, 'main', ['README.md']);
    mockPullRequestComment();

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: PULL_REQUEST }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('CVE-2019-14697');
    expect(check.output.summary).not.toContain('suppressed by');
    expect(check.output.summary).toContain('matches no file in octo-org/octo-repo@&#8203;main');
    const trees = github.log.filter((entry) => entry.path.includes('/git/trees/'));
    expect(trees.map((entry) => entry.path)).toEqual([`${REPO_PATH}/git/trees/main?recursive=1`]);
  });

  it("applies the organization's VEX files from <org>/.github to every repository", async () => {
    const { github } = app;
    const org = ['version: 1', 'settings:', '  vex: ["vex/**/*.json"]', ''].join('\n');
    const repo = ['version: 1', 'policies:', '  - name: no-critical', '    rules:', '      severity: critical', ''].join('\n');
    arrangeRun(github, { ref: 'master', repo, org, artifacts: imageScan(ALPINE_39) });
    github.api.get(ORG_REPO_PATH).reply(200, { name: '.github', default_branch: 'trunk' });
    mockTree(ORG_REPO_PATH, 'trunk', ['vex/alpine/musl.json', 'profile/README.md']);
    mockFile(github, 'vex/alpine/musl.json', 'trunk', MUSL_NOT_AFFECTED, ORG_REPO_PATH);

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('success');
    expect(check.output.summary).toContain('VEX `org:octo-org/.github/vex/alpine/musl.json statements[0]`');
  });

  it('fails the check naming the file and the place of a statement without justification, and still judges the image', async () => {
    const { github } = app;
    const broken = JSON.parse(MUSL_NOT_AFFECTED) as { statements: Record<string, unknown>[] };
    delete broken.statements[0]!.justification;
    delete broken.statements[0]!.impact_statement;
    arrangeRun(github, { ref: 'master', repo: POLICY, artifacts: imageScan(ALPINE_39) });
    mockTree(REPO_PATH, 'master', ['.vex/musl.openvex.json']);
    mockFile(github, '.vex/musl.openvex.json', 'master', JSON.stringify(broken));

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toContain('VEX');
    expect(check.output.summary).toContain('in `.vex/musl.openvex.json`');
    expect(check.output.summary).toContain('statements&#91;0&#93;: a not&#95;affected statement needs a justification or an impact&#95;statement');
    expect(check.output.summary).toContain('CVE-2019-14697');
  });
});
