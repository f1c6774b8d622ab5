import { afterEach, describe, expect, it } from 'vitest';
import { readFixtureJson } from '../helpers/fixtures.ts';
import type { AppUnderTest } from './app-harness.ts';
import { arrangeRun, finalCheckRun, imageScan, mockCompare, mockOnBranch, REPO_PATH, SHA, startApp, workflowRunPayload, mockNewComment } from './app-harness.ts';

/**
 * Attribution end to end (issue 11): signed webhooks → the real app → nock for GitHub, the store on
 * dynalite. The default branch's push run scans alpine 3.9 (a real Trivy report: two criticals in
 * musl); a pull request's run scans the same image with one critical more. Under
 * `findings: introduced`, only that one blocks. (The store's DynamoDB side is the store contract's.)
 */

const POLICY = `version: 1
policies:
  - name: no-new-criticals
    findings: introduced
    rules:
      severity: critical
`;

/** The merge base the harness's compare answers with (`merge_base_commit.sha`). */
const BASE_SHA = 'c'.repeat(40);
const BASE_DIGEST = `sha256:${'a'.repeat(64)}`;
const HEAD_DIGEST = `sha256:${'b'.repeat(64)}`;

function alpineScan(digest: string, extra: Record<string, unknown>[] = []): string {
  const doc = readFixtureJson<{ Metadata: Record<string, unknown>; Results: { Vulnerabilities: Record<string, unknown>[] }[] }>('scans/trivy/alpine-39.json');
  doc.Metadata['RepoTags'] = ['ghcr.io/octo-org/app:latest'];
  doc.Metadata['RepoDigests'] = [`ghcr.io/octo-org/app@${digest}`];
  doc.Results[0]!.Vulnerabilities.push(...extra);
  return JSON.stringify(doc);
}

const BUSYBOX = { VulnerabilityID: 'CVE-2024-9999', PkgName: 'busybox', InstalledVersion: '1.29.3-r10', FixedVersion: '1.29.3-r11', Severity: 'CRITICAL' };

let app: AppUnderTest | undefined;

afterEach(() => {
  app?.github.restore();
  app = undefined;
});

async function judgeBaseBranchPush(under: AppUnderTest): Promise<void> {
  arrangeRun(under.github, { ref: 'master', repo: POLICY, artifacts: imageScan(alpineScan(BASE_DIGEST)), headSha: BASE_SHA });
  // The app's own confirmation that the commit is on the default branch before it records a baseline.
  mockOnBranch(under.github, 'master', BASE_SHA);
  await under.deliver('workflow_run', workflowRunPayload({ headSha: BASE_SHA }));
  under.github.assertDone();
}

/** The comparisons the app asked GitHub for, `base...head`. */
function comparisons(under: AppUnderTest): string[] {
  return under.github.log.filter((entry) => entry.path.includes('/compare/')).map((entry) => decodeURIComponent(entry.path.split('/compare/')[1]!.split('?')[0]!));
}

describe('attribution in the app (findings: introduced)', () => {
  it('blocks only the critical the pull request adds; the inherited ones are warnings in the same check', async () => {
    app = await startApp();
    await judgeBaseBranchPush(app);
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: POLICY, artifacts: imageScan(alpineScan(HEAD_DIGEST, [BUSYBOX])), compare: 'master', checkRunId: 7002 });
    mockCompare(github, 'master');
    mockNewComment(github, 5);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 5, base: 'master' } }));

    // (The installation token is cached from the first run: the only mock left unused.)
    expect(comparisons(app)).toEqual([`master...${BASE_SHA}`, `master...${BASE_SHA}`, `master...${SHA}`, `master...${SHA}`]);
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain(`**1 introduced (blocking) · 2 inherited · 0 newly disclosed**, compared with the scan of the merge base ${BASE_SHA.slice(0, 7)}.`);
    const comment = (github.requests('POST', `${REPO_PATH}/issues/5/comments`)[0]!.body as { body: string }).body;
    expect(comment).toContain('**1 introduced (blocking) · 2 inherited · 0 newly disclosed**');
    expect(comment).toContain('- **CVE-2024-9999** in busybox 1.29.3-r10');
    expect(comment).not.toContain('- **CVE-2019-14697**');
    const stored = await app.store.getCheckState('octo-org/octo-repo', SHA);
    const [image] = Object.values(Object.values(stored!.value.runs)[0]!.images);
    expect(image!.baseline).toEqual({ source: 'merge-base', sha: BASE_SHA, digest: BASE_DIGEST });
    expect(image!.policies[0]!.violations.map((v) => `${v.id} ${v.package} ${v.attribution}`)).toEqual(['CVE-2024-9999 busybox introduced']);
    expect(image!.policies[0]!.warnings!.map((v) => `${v.id} ${v.package} ${v.attribution}`)).toEqual(['CVE-2019-14697 musl inherited', 'CVE-2019-14697 musl-utils inherited']);
  });

  it('passes the pull request that brings nothing new, with the inherited criticals as warnings', async () => {
    app = await startApp();
    await judgeBaseBranchPush(app);
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: POLICY, artifacts: imageScan(alpineScan(HEAD_DIGEST)), compare: 'master', checkRunId: 7002 });
    mockCompare(github, 'master');
    mockNewComment(github, 5);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 5, base: 'master' } }));

    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('neutral');
    expect(check.output.summary).toContain('**0 introduced · 2 inherited · 0 newly disclosed**');
  });

  it('fails closed without a stored baseline: every critical blocks, and the check says there was none', async () => {
    app = await startApp();
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: POLICY, artifacts: imageScan(alpineScan(HEAD_DIGEST)), compare: 'master' });
    mockCompare(github, 'master');
    mockNewComment(github, 5);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 5, base: 'master' } }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain('**2 introduced (blocking) · 0 inherited · 0 newly disclosed**, compared with no baseline');
  });

  it('records no baseline from a default-branch run GitHub does not confirm on the branch (a tag named like it)', async () => {
    app = await startApp();
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: POLICY, artifacts: imageScan(alpineScan(BASE_DIGEST)), headSha: BASE_SHA });
    mockCompare(github, 'master', [], BASE_SHA, 'diverged');

    await app.deliver('workflow_run', workflowRunPayload({ headSha: BASE_SHA }));

    github.assertDone();
    expect(await app.store.getLatestDefaultBranchDigest('octo-org/octo-repo', 'ghcr.io/octo-org/app')).toBeUndefined();
  });
});
