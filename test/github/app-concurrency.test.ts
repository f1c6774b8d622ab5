import { describe, expect, it } from 'vitest';
import type { GitHubMock } from '../helpers/github-mock.ts';
import type { AppUnderTest } from './app-harness.ts';
import { ALPINE_311, APP_ID, imageScan, INSTALLATION_ID, JUICE_SHOP, mockArtifacts, mockCompare, mockOnBranch, ORG_REPO_PATH, OWNER, POLICY_PATH, REPO, REPO_PATH, RUN_ID, SHA, useAppUnderTest, workflowRunPayload } from './app-harness.ts';

/**
 * Two workflow runs of one commit finishing at the same moment, with no pending check yet (the
 * requested events were lost, or the app was installed mid-run): both jobs run at once in one
 * worker, their GitHub requests interleaved.
 */

const app = useAppUnderTest();

/**
 * What racing runs read before they judge: the installation token (at most `tokens` times) and
 * both policy files at `ref`, each a 404 answered `policyReads` times, or at most that often when
 * `isPolicyReadOptional` (the runs may share a read).
 */
function mockRacingReads(github: GitHubMock, reads: { tokens: number; ref: string; policyReads: number; isPolicyReadOptional: boolean }): void {
  github.api
    .post(`/app/installations/${INSTALLATION_ID}/access_tokens`)
    .times(reads.tokens)
    .optionally()
    .reply(201, { token: 'ghs_test', expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
  github.api
    .get(`${REPO_PATH}/contents/${encodeURIComponent(POLICY_PATH)}`)
    .query({ ref: reads.ref })
    .times(reads.policyReads)
    .optionally(reads.isPolicyReadOptional)
    .reply(404, { message: 'Not Found' });
  github.api.get(`${ORG_REPO_PATH}/contents/${encodeURIComponent(POLICY_PATH)}`).times(reads.policyReads).optionally(reads.isPolicyReadOptional).reply(404, { message: 'Not Found' });
}

/** A fake checks API that keeps every check run as GitHub would, in creation order. */
function mockChecksApi(app: AppUnderTest): Map<number, Record<string, any>> {
  const checkRuns = new Map<number, Record<string, any>>();
  let nextId = 7001;
  app.github.api
    .post(`${REPO_PATH}/check-runs`)
    .times(10)
    .optionally()
    .reply(201, (_uri, body) => {
      const id = nextId++;
      checkRuns.set(id, { ...(body as object) });
      return { id, html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}` };
    });
  app.github.api
    .patch(/\/check-runs\/\d+$/)
    .times(20)
    .optionally()
    .reply(200, (uri, body) => {
      const id = Number(uri.split('/').pop());
      const current = checkRuns.get(id)!;
      checkRuns.set(id, { ...current, ...(body as object), output: { ...current.output, ...(body as { output?: object }).output } });
      return { id, html_url: `https://github.com/${OWNER}/${REPO}/runs/${id}` };
    });
  return checkRuns;
}

/** A fake issue-comments API for pull request 7 that keeps what was posted, edited and deleted. */
function mockCommentsApi(app: AppUnderTest): Map<number, { id: number; body: string }> {
  const comments = new Map<number, { id: number; body: string }>();
  let nextId = 900;
  const view = () => [...comments.values()].map((comment) => ({ ...comment, user: { login: 'image-assurance[bot]', type: 'Bot' }, performed_via_github_app: { id: APP_ID } }));
  app.github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(20).optionally().reply(200, view);
  app.github.api
    .post(`${REPO_PATH}/issues/7/comments`)
    .times(10)
    .optionally()
    .reply(201, (_uri, body) => {
      const comment = { id: nextId++, body: (body as { body: string }).body };
      comments.set(comment.id, comment);
      return comment;
    });
  app.github.api
    .patch(/\/issues\/comments\/\d+$/)
    .times(20)
    .optionally()
    .reply((uri, body) => {
      const id = Number(uri.split('/').pop());
      if (!comments.has(id)) return [404, { message: 'Not Found' }];
      comments.set(id, { id, body: (body as { body: string }).body });
      return [200, comments.get(id)];
    });
  app.github.api
    .delete(/\/issues\/comments\/\d+$/)
    .times(10)
    .optionally()
    .reply((uri) => {
      const id = Number(uri.split('/').pop());
      return comments.delete(id) ? [204, ''] : [404, { message: 'Not Found' }];
    });
  return comments;
}

describe('src/github/app (concurrency)', () => {
  it('answers two runs of one commit that finish at once with check runs that each cover both images', async () => {
    const { github } = app;
    mockRacingReads(github, { tokens: 2, ref: 'master', policyReads: 4, isPolicyReadOptional: true });
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } }]);
    mockOnBranch(github, 'master');
    mockOnBranch(github, 'master');
    const checkRuns = mockChecksApi(app);

    await Promise.all([
      app.deliver('workflow_run', workflowRunPayload({ name: 'build api' })),
      app.deliver('workflow_run', workflowRunPayload({ name: 'build base', runId: RUN_ID + 1, path: '.github/workflows/base.yml' })),
    ]);

    github.assertDone();
    expect(checkRuns.size).toBeGreaterThan(0);
    // Whichever check run GitHub shows (it shows the latest of a name), it covers both images.
    for (const [id, checkRun] of checkRuns) {
      expect({ id, status: checkRun.status, conclusion: checkRun.conclusion }).toEqual({ id, status: 'completed', conclusion: 'failure' });
      expect(checkRun.output.summary, `check run ${id}`).toContain('bkimminich/juice-shop');
      expect(checkRun.output.summary, `check run ${id}`).toContain('alpine:3.11');
    }
    const state = await app.store.getCheckState(`${OWNER}/${REPO}`, SHA);
    expect(Object.keys(state!.value.runs).sort()).toEqual([String(RUN_ID), String(RUN_ID + 1)]);
    expect(checkRuns.has(state!.value.checkRunId!)).toBe(true);
  });

  it('completes every check run when two workflow runs start at once and both create a pending one, once both are judged', async () => {
    const { github } = app;
    const base = { name: 'build base', runId: RUN_ID + 1, path: '.github/workflows/base.yml' };
    mockRacingReads(github, { tokens: 3, ref: 'master', policyReads: 4, isPolicyReadOptional: true });
    const checkRuns = mockChecksApi(app);

    await Promise.all([
      app.deliver('workflow_run', workflowRunPayload({ name: 'build api' }, 'webhooks/workflow_run.requested.json')),
      app.deliver('workflow_run', workflowRunPayload(base, 'webhooks/workflow_run.requested.json')),
    ]);
    expect([...checkRuns.values()].map((checkRun) => checkRun.status)).toEqual(['queued', 'queued']);
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockOnBranch(github, 'master');
    await app.deliver('workflow_run', workflowRunPayload({ name: 'build api' }));
    // "build base" is still running: no check run concludes yet.
    expect([...checkRuns.values()].map((checkRun) => checkRun.conclusion)).toEqual([undefined, undefined]);
    mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } }]);
    mockOnBranch(github, 'master');
    await app.deliver('workflow_run', workflowRunPayload(base));

    github.assertDone();
    expect(checkRuns.size).toBe(2);
    for (const [id, checkRun] of checkRuns) {
      expect({ id, status: checkRun.status, conclusion: checkRun.conclusion }).toEqual({ id, status: 'completed', conclusion: 'failure' });
      expect(checkRun.output.summary, `check run ${id}`).toContain('bkimminich/juice-shop');
      expect(checkRun.output.summary, `check run ${id}`).toContain('alpine:3.11');
    }
  });

  it('leaves exactly one sticky comment, covering both images, when both runs belong to one pull request', async () => {
    const { github } = app;
    const pullRequest = { number: 7, base: 'main' };
    mockRacingReads(github, { tokens: 2, ref: 'main', policyReads: 4, isPolicyReadOptional: true });
    mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
    mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } }]);
    mockCompare(github, 'main');
    mockCompare(github, 'main');
    mockChecksApi(app);
    const comments = mockCommentsApi(app);

    await Promise.all([
      app.deliver('workflow_run', workflowRunPayload({ name: 'build api', pullRequest })),
      app.deliver('workflow_run', workflowRunPayload({ name: 'build base', runId: RUN_ID + 1, pullRequest, path: '.github/workflows/base.yml' })),
    ]);

    github.assertDone();
    expect(comments.size).toBe(1);
    const [comment] = [...comments.values()];
    expect(comment!.body).toContain('bkimminich/juice-shop');
    expect(comment!.body).toContain('alpine:3.11');
  });
});
