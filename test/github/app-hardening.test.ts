import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/render/pr-comment.ts';
import { buildRawZip } from '../helpers/artifact-zip.ts';
import type { RawZipEntry } from '../helpers/artifact-zip.ts';
import type { AppUnderTest } from './app-harness.ts';
import {
  reevaluationPayload,
  pullRequestPayload,
  imageScan,
  arrangeRun,
  ALPINE_311,
  APP_ID,
  checkRunBodies,
  finalCheckRun,
  JUICE_SHOP,
  mockAccessToken,
  mockArtifacts,
  mockCompare,
  mockOnBranch,
  mockCreateCheckRun,
  mockFile,
  mockPolicyFiles,
  ORG_REPO_PATH,
  mockUpdateCheckRun,
  OWNER,
  POLICY_PATH,
  REPO,
  REPO_PATH,
  RUN_ID,
  SHA,
  useAppUnderTest,
  workflowRunPayload,
  mockNewComment,
  mockRunsOfCommit,
} from './app-harness.ts';

/**
 * "Hard to fool": what a pull request, a fork, another app or a crafted artifact tries, end to
 * end through receiveWebhook and the real Probot app.
 */

const app = useAppUnderTest();

/** The `ref` of every read of the repository's policy file, in order (the organization's has none). */
function policyRefs(app: AppUnderTest): (string | null)[] {
  return app.github.log
    .filter((entry) => decodeURIComponent(entry.path).startsWith(`${REPO_PATH}/contents/${POLICY_PATH}`))
    .map((entry) => new URL(entry.path, 'https://x').searchParams.get('ref'));
}

describe('src/github/app (hard to fool)', () => {
  describe('the policy comes from the base branch', () => {
    it('reads a pull request into a non-default branch at that branch, never the head', async () => {
      const { github } = app;
      const strict = 'version: 1\nsettings:\n  check_name: release-gate\npolicies:\n  - name: no-high\n    rules:\n      severity: high\n';
      arrangeRun(github, { ref: 'release/1.x', repo: strict, artifacts: imageScan(JUICE_SHOP), compare: 'release/1.x' });
      mockNewComment(github, 4);

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 4, base: 'release/1.x' } }));

      github.assertDone();
      expect(policyRefs(app)).toEqual(['release/1.x']);
      expect(finalCheckRun(github)).toMatchObject({ name: 'release-gate', conclusion: 'failure' });
    });

    it('reads a pull_request event at its base branch', async () => {
      const { github } = app;
      const payload = pullRequestPayload('release/2.x');
      arrangeRun(github, { ref: 'release/2.x', repo: 'version: 1\nextends: [preset:baseline]\nsettings:\n  check_name: release-two\n' });

      // The policy preview asks which files the pull request changes (not the policy file here).
      mockCompare(github, payload.pull_request.base.ref);
      await app.deliver('pull_request', payload);

      github.assertDone();
      expect(policyRefs(app)).toEqual(['release/2.x']);
      expect(github.requests('POST', `${REPO_PATH}/check-runs`)[0]!.body).toMatchObject({ name: 'release-two', status: 'queued' });
    });

    it("re-evaluates a pull request's run with its base branch's policy", async () => {
      const { github } = app;
      const run = workflowRunPayload({ pullRequest: { number: 3, base: 'develop' } }).workflow_run;
      arrangeRun(github, { ref: 'develop', repo: 'version: 1\npolicies:\n  - name: allow-all\n', artifacts: imageScan(JUICE_SHOP), compare: 'develop' });
      mockRunsOfCommit(github, [run]);
      github.api.get(`${REPO_PATH}/issues/3/comments`).query(true).reply(200, []);

      await app.deliver('check_run', reevaluationPayload('webhooks/check_run.rerequested.json', { id: APP_ID }));

      github.assertDone();
      expect(policyRefs(app)).toEqual(['develop']);
      expect(finalCheckRun(github).conclusion).toBe('success');
    });

    it("judges a commit that heads pull requests into a branch of its own and into the default branch under both bases' policies: blocked if any blocks", async () => {
      const { github } = app;
      const payload = workflowRunPayload({ pullRequest: { number: 5, base: 'lax' } });
      const [lax] = payload.workflow_run.pull_requests;
      payload.workflow_run.pull_requests = [lax, { ...lax, number: 7, base: { ...lax.base, ref: 'master' } }];
      // The organization's file is read once, with the first base's.
      mockAccessToken(github);
      mockPolicyFiles(github, { ref: 'lax', repo: 'version: 1\npolicies:\n  - name: allow-all\n' });
      mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
      mockCompare(github, 'lax');
      // The artifacts are downloaded once for both bases.
      mockFile(github, POLICY_PATH, 'master', undefined);
      mockCompare(github, 'master');
      mockCreateCheckRun(github);
      for (const number of [5, 7]) {
        mockNewComment(github, number, number);
      }

      await app.deliver('workflow_run', payload);

      github.assertDone();
      expect(policyRefs(app)).toEqual(['lax', 'master']);
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('CVE-2021-36159');
      // A verdict per base branch, each with the policy file it was judged under.
      const digest = (await app.store.getCheckState(`${OWNER}/${REPO}`, SHA))!.value;
      expect(Object.keys(digest.runs).sort()).toEqual([`${RUN_ID}@lax`, `${RUN_ID}@master`]);
    });

    it('does not carry a verdict judged for a pull request into a looser branch over to one into the default branch', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'lax', repo: 'version: 1\npolicies:\n  - name: allow-all\n', artifacts: imageScan(JUICE_SHOP), compare: 'lax' });
      github.api.get(`${REPO_PATH}/issues/5/comments`).query(true).reply(200, []);
      const run = workflowRunPayload({ pullRequest: { number: 5, base: 'lax' } });
      await app.deliver('workflow_run', run);
      expect(finalCheckRun(github).conclusion).toBe('success');

      const payload = pullRequestPayload('master', 7);
      mockPolicyFiles(github, { ref: 'master' });
      mockRunsOfCommit(github, [run.workflow_run]);
      // Judged again under both bases: pull request 5's (lax) and pull request 7's (master).
      // Master's policy was read once by this job (for the check); lax's file is read now.
      mockFile(github, POLICY_PATH, 'lax', 'version: 1\npolicies:\n  - name: allow-all\n');
      mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
      mockCompare(github, 'lax');
      mockCompare(github, 'master');
      mockUpdateCheckRun(github);
      for (const number of [5, 7]) {
        mockNewComment(github, number, number);
      }
      // The policy preview asks which files the pull request changes (not the policy file here).
      mockCompare(github, payload.pull_request.base.ref);
      await app.deliver('pull_request', payload);

      github.assertDone();
      expect(policyRefs(app)).toEqual(['lax', 'master', 'lax']);
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('CVE-2021-36159');
    });

    it("ignores a pull request entry of another repository: the default branch's policy applies, no comment there", async () => {
      const { github } = app;
      const payload = workflowRunPayload({ pullRequest: { number: 12, base: 'lax' } });
      payload.workflow_run.pull_requests[0].base.repo = { id: 424242, name: 'elsewhere' };
      arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP) });

      await app.deliver('workflow_run', payload);

      github.assertDone();
      expect(policyRefs(app)).toEqual(['master']);
      expect(finalCheckRun(github).conclusion).toBe('failure');
      expect(github.log.some((entry) => entry.path.includes('/issues/'))).toBe(false);
    });

    it('treats a pull request entry that names no base repository as not ours', async () => {
      const { github } = app;
      const payload = workflowRunPayload({ pullRequest: { number: 12, base: 'lax' } });
      delete payload.workflow_run.pull_requests[0].base.repo;
      arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP) });

      await app.deliver('workflow_run', payload);

      github.assertDone();
      expect(policyRefs(app)).toEqual(['master']);
    });
  });

  describe('forks', () => {
    it('fails a run whose head repository is missing, without listing its artifacts', async () => {
      const { github } = app;
      const payload = workflowRunPayload();
      delete payload.workflow_run.head_repository;
      arrangeRun(github, { ref: 'master' });

      await app.deliver('workflow_run', payload);

      github.assertDone();
      expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure', output: { title: 'Reports from a fork are not trusted' } });
      expect(github.log.some((entry) => entry.path.includes('/artifacts'))).toBe(false);
    });

    it("keeps an organization's forks: untrusted over a repository's forks: trusted", async () => {
      const { github } = app;
      mockAccessToken(github);
      mockPolicyFiles(github, {
        ref: 'master',
        repo: 'version: 1\nextends: [org]\nsettings:\n  forks: trusted\n',
        org: 'version: 1\nextends: [preset:baseline]\nsettings:\n  forks: untrusted\n',
      });
      mockCreateCheckRun(github);

      await app.deliver('workflow_run', workflowRunPayload({ headRepositoryId: 999 }));

      github.assertDone();
      expect(finalCheckRun(github)).toMatchObject({ conclusion: 'failure', output: { title: 'Reports from a fork are not trusted' } });
      expect(github.log.some((entry) => entry.path.includes('/artifacts'))).toBe(false);
    });
  });

  describe('events that are not ours', () => {
    it('ignores a workflow_run of another repository than the payload names', async () => {
      const payload = workflowRunPayload();
      payload.workflow_run.repository.id = 31337;

      await app.deliver('workflow_run', payload);

      app.github.assertDone();
      expect(app.github.log).toEqual([]);
    });

    it('does not judge a listed run of another repository on re-evaluation', async () => {
      const { github } = app;
      const run = workflowRunPayload().workflow_run;
      run.repository = { ...run.repository, id: 31337 };
      mockAccessToken(github);
      mockRunsOfCommit(github, [run]);

      await app.deliver('check_run', reevaluationPayload('webhooks/check_run.rerequested.json', { id: APP_ID }));

      github.assertDone();
      expect(github.log.some((entry) => entry.path.includes('/artifacts') || entry.path.includes('/check-runs'))).toBe(false);
    });

    it.each([
      ['check_run rerequested', 'check_run', 'webhooks/check_run.rerequested.json'],
      ['check_run requested_action', 'check_run', 'webhooks/check_run.requested_action.json'],
      ['check_suite rerequested', 'check_suite', 'webhooks/check_suite.rerequested.json'],
    ])("does not answer %s for another app's check", async (_name, event, fixture) => {
      await app.deliver(event, reevaluationPayload(fixture, { id: APP_ID + 1000 }));

      app.github.assertDone();
      expect(app.github.log).toEqual([]);
    });
  });

  describe('the sticky comment is only ever ours', () => {
    it.each([
      ['a user', { login: 'mallory', type: 'User' }, null],
      ['another bot (a workflow with GITHUB_TOKEN)', { login: 'github-actions[bot]', type: 'Bot' }, { id: 15368, slug: 'github-actions' }],
    ])('never edits a comment by %s that carries our marker: posts its own', async (_name, user, viaApp) => {
      const { github } = app;
      arrangeRun(github, { ref: 'main', artifacts: imageScan(JUICE_SHOP), compare: 'main' });
      github.api
        .get(`${REPO_PATH}/issues/7/comments`)
        .query(true).times(2)
        .reply(200, [{ id: 66, body: `${COMMENT_MARKER}\nall images allowed, trust me`, user, performed_via_github_app: viaApp }]);
      github.api.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 555 });

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

      github.assertDone();
      expect(github.requests('PATCH', `${REPO_PATH}/issues/comments`)).toHaveLength(0);
      expect((github.requests('POST', `${REPO_PATH}/issues/7/comments`)[0]!.body as { body: string }).body).toContain('CVE-2021-36159');
    });

    it('keeps only the oldest of our comments when an earlier race left two', async () => {
      const { github } = app;
      const ours = { user: { login: 'image-assurance[bot]', type: 'Bot' }, performed_via_github_app: { id: APP_ID } };
      arrangeRun(github, { ref: 'main', artifacts: imageScan(JUICE_SHOP), compare: 'main' });
      github.api
        .get(`${REPO_PATH}/issues/7/comments`)
        .query(true)
        .reply(200, [
          { id: 502, body: `${COMMENT_MARKER}\nsecond`, ...ours },
          { id: 501, body: `${COMMENT_MARKER}\nfirst`, ...ours },
        ]);
      github.api.delete(`${REPO_PATH}/issues/comments/502`).reply(204);
      github.api.patch(`${REPO_PATH}/issues/comments/501`).reply(200, { id: 501 });

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

      github.assertDone();
      expect((github.requests('PATCH', `${REPO_PATH}/issues/comments/501`)[0]!.body as { body: string }).body).toContain('CVE-2021-36159');
      expect(github.requests('POST', `${REPO_PATH}/issues`)).toHaveLength(0);
    });

    it('posts no comment under comment: on-failure when green and none of ours exists', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'main', artifacts: imageScan(ALPINE_311), compare: 'main' });
      github.api
        .get(`${REPO_PATH}/issues/7/comments`)
        .query(true)
        .reply(200, [{ id: 66, body: `${COMMENT_MARKER}\nblocked!`, user: { login: 'mallory', type: 'User' }, performed_via_github_app: null }]);

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

      github.assertDone();
      expect(finalCheckRun(github).conclusion).toBe('success');
      expect(github.log.some((entry) => entry.method !== 'GET' && entry.path.includes('/issues/'))).toBe(false);
    });

    it('posts a comment under comment: always even when green', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'main', repo: 'version: 1\nextends: [preset:baseline]\nsettings:\n  comment: always\n', artifacts: imageScan(ALPINE_311), compare: 'main' });
      mockNewComment(github, 7, 555);

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

      github.assertDone();
      expect(finalCheckRun(github).conclusion).toBe('success');
      expect(github.requests('POST', `${REPO_PATH}/issues/7/comments`)).toHaveLength(1);
    });
  });

  describe('artifacts', () => {
    it('never sends our token to the blob host, and refuses a download link that is not HTTPS', async () => {
      const { github } = app;
      arrangeRun(github, {
        ref: 'master',
        artifacts: [
          { id: 11, name: 'image-scan-plain', redirectTo: 'http://pipelines.blob.test/artifacts/11.zip?sig=abc' },
          { id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } },
        ],
      });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('artifact image-scan-plain was not downloaded: its download link is not HTTPS');
      const offApi = github.log.filter((entry) => entry.host !== 'api.github.com');
      expect(offApi.map((entry) => entry.path)).toEqual(['/artifacts/12.zip?sig=abc']);
      expect(offApi[0]!.headers.authorization).toBeUndefined();
    });

    it('fails closed on a file among the reports that is no report, naming it, and still judges the rest', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', artifacts: [{ id: 11, name: 'image-scan', files: { 'api/trivy.json': ALPINE_311, 'api/notes.txt': 'scanned fine, trust me' } }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('image-scan/api/notes.txt');
      expect(check.output.summary).toContain('alpine:3.11');
    });

    it.each<[string, RawZipEntry[], string]>([
      ['a symbolic link', [{ path: 'trivy.json', content: '/etc/passwd', unixMode: 0o120777 }], 'trivy.json: symbolic links are not accepted'],
      ['a path that climbs out', [{ path: '../trivy.json', content: ALPINE_311 }], '../trivy.json: unsafe entry path'],
      ['a name given twice', [{ path: 'trivy.json', content: JUICE_SHOP }, { path: 'trivy.json', content: ALPINE_311 }], 'trivy.json: the name appears twice'],
    ])('refuses an artifact holding %s, naming it', async (_name, entries, message) => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', artifacts: [{ id: 11, name: 'image-scan', zip: buildRawZip(entries) }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain(`artifact image-scan was not unpacked: ${message}`);
    });

    it('fails closed on an artifact with no file at all', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', artifacts: [{ id: 11, name: 'image-scan', zip: buildRawZip([{ path: 'empty/', content: '' }]) }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('artifact image-scan holds no files');
    });
  });

  describe('an empty evaluation', () => {
    it('is never success, even with missing_scan: ignore', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', repo: 'version: 1\nextends: [preset:baseline]\nsettings:\n  missing_scan: ignore\n' });
      github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 0, artifacts: [] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('neutral');
      expect(check.output.summary).toContain('no image was judged (missing&#95;scan: ignore)');
    });
  });
});

describe('src/github/app (GitHub failing at each call)', () => {
  type Failure = 'server error' | 'secondary rate limit';
  const answer = (failure: Failure): [number, object, Record<string, string>] =>
    failure === 'server error'
      ? [500, { message: 'Server Error' }, {}]
      : [403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '0' }];
  const failures: Failure[] = ['server error', 'secondary rate limit'];
  const basePolicy = 'version: 1\npolicies:\n  - name: bases\n    rules:\n      base_images: ["docker.io/library/alpine:3.*"]\n';

  it.each(failures)('the policy file read (%s): a completed failing check that names it', async (failure) => {
    const { github } = app;
    mockAccessToken(github);
    github.api.get(`${REPO_PATH}/contents/${encodeURIComponent(POLICY_PATH)}`).query({ ref: 'master' }).times(4).optionally().reply(...answer(failure));
    github.api.get(`${ORG_REPO_PATH}/contents/${encodeURIComponent(POLICY_PATH)}`).optionally().reply(404, { message: 'Not Found' });
    mockCreateCheckRun(github);

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain(`could not read ${POLICY_PATH} from ${OWNER}/${REPO}@`);
    expect(check.output.summary).toMatch(failure === 'server error' ? /HTTP 500/ : /HTTP 403: You have exceeded a secondary rate limit/);
  });

  it.each(failures)('the artifact download (%s): that artifact fails, named, the check completes', async (failure) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockOnBranch(github, 'master');
    github.api.get(`${REPO_PATH}/actions/artifacts/11/zip`).times(4).optionally().reply(...answer(failure));

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output.summary).toContain('could not download artifact image-scan');
  });

  it('the blob storage (500): that artifact fails, named, the check completes', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockOnBranch(github, 'master');
    github.api.get(`${REPO_PATH}/actions/artifacts/11/zip`).reply(302, '', { location: 'https://pipelines.blob.test/artifacts/11.zip?sig=abc' });
    github.host('https://pipelines.blob.test').get('/artifacts/11.zip').query({ sig: 'abc' }).reply(500, 'boom');

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output.summary).toContain('could not download artifact image-scan: its download link answered 500');
  });

  it.each(failures)('the Dockerfile read (%s): a completed failing check that names it', async (failure) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: basePolicy, artifacts: imageScan(ALPINE_311) });
    github.api.get(`${REPO_PATH}/contents/Dockerfile`).query({ ref: SHA }).times(4).optionally().reply(...answer(failure));

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain(`could not read Dockerfile from ${OWNER}/${REPO}@`);
  });

  it.each(failures)('the comment (%s): the check, written green first, ends failing and says the comment failed', async (failure) => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: 'version: 1\nextends: [preset:baseline]\nsettings:\n  comment: always\n', artifacts: imageScan(ALPINE_311), compare: 'main' });
    // The failure is recorded on the check; the comment fails again, so the check is written directly too.
    mockUpdateCheckRun(github);
    mockUpdateCheckRun(github);
    github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(12).optionally().reply(...answer(failure));

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain('could not write the comment on pull request #&#8203;7');
    expect(checkRunBodies(github).every((body) => body.status === 'completed')).toBe(true);
  });

  it('a rate limit that asks for more than a minute: no waiting past the worker, a completed failing check', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master' });
    github.api
      .get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`)
      .query(true)
      .reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '900' });

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain('secondary rate limit');
  });

  it('a request that hangs: it times out (retried as a 5xx), and the check completes failing', async () => {
    await app.restart({ requestTimeoutMs: 50 });
    const { github } = app;
    arrangeRun(github, { ref: 'master' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).times(4).delay(1_000).reply(200, { total_count: 0, artifacts: [] });

    await app.deliver('workflow_run', workflowRunPayload());

    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain(`could not list the artifacts of workflow run ${RUN_ID}`);
    expect(check.output.summary).toMatch(/timeout|timed out|aborted/i);
  });

  it('the check run write, once (500 after retries), then recovers: the check completes failing and says why', async () => {
    const { github } = app;
    mockAccessToken(github);
    mockPolicyFiles(github, { ref: 'master' });
    mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    mockOnBranch(github, 'master');
    github.api.post(`${REPO_PATH}/check-runs`).times(4).reply(500, { message: 'Server Error' });
    mockCreateCheckRun(github);

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(check.output.summary).toContain(`could not write the check run on ${SHA}`);
  });
});

describe('src/github/app (a changed workflow cannot vouch for its reports)', () => {
  const WORKFLOW = '.github/workflows/test.yml';
  const pullRequest = { number: 7, base: 'main' };

  it.each([
    ['edits the workflow file', [{ filename: WORKFLOW }]],
    ['renames another file to the workflow file', [{ filename: WORKFLOW, previous_filename: '.github/workflows/old.yml' }]],
    ['moves the workflow file away', [{ filename: '.github/workflows/new.yml', previous_filename: WORKFLOW }]],
  ])('fails a pull request that %s, without downloading its reports', async (_name, files) => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: 'version: 1\npolicies:\n  - name: allow-all\n' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockCompare(github, 'main', files);
    mockNewComment(github, 7);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.summary).toContain(`ran ${WORKFLOW} as this change edits it (it differs from main)`);
    expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(false);
  });

  it.each([
    ['untrusted', 'failure', 1],
    ['trusted', 'success', 0],
  ] as const)('honours workflow_changes: %s on the base branch for a pull request that edits the workflow', async (mode, conclusion, compares) => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: `version: 1\nsettings:\n  workflow_changes: ${mode}\npolicies:\n  - name: allow-all\n` });
    if (mode === 'trusted') mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    else github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    if (mode === 'untrusted') mockCompare(github, 'main', [{ filename: WORKFLOW }]);
    github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(compares + 1).reply(200, []);
    if (conclusion === 'failure') github.api.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe(conclusion);
    // trusted: the comparison is not even asked for.
    expect(github.requests('GET', `${REPO_PATH}/compare/`)).toHaveLength(compares);
    if (mode === 'untrusted') expect(check.output.summary).toContain('trusted on the default branch');
  });

  it('does not let a pull request trust its own workflow change: the setting is read from the base branch', async () => {
    const { github } = app;
    mockAccessToken(github);
    // The head branch's file (workflow_changes: trusted) is never asked for: only the base's is mocked.
    mockPolicyFiles(github, { ref: 'main', repo: 'version: 1\npolicies:\n  - name: allow-all\n' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockCompare(github, 'main', [{ filename: WORKFLOW }, { filename: POLICY_PATH }]);
    mockCreateCheckRun(github);
    mockNewComment(github, 7);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    expect(finalCheckRun(github).conclusion).toBe('failure');
    expect(github.log.filter((entry) => entry.path.startsWith(`${REPO_PATH}/contents/`)).every((entry) => entry.path.includes('ref=main'))).toBe(true);
    expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(false);
  });

  it.each([
    ['a protected script', 'untrusted', [{ filename: 'scripts/scan.sh' }], 'failure'],
    ['a protected script, even with workflow_changes: trusted', 'trusted', [{ filename: 'scripts/scan.sh' }], 'failure'],
    ['a file moved away from a protected path', 'untrusted', [{ filename: 'tools/scan.sh', previous_filename: 'scripts/scan.sh' }], 'failure'],
    ['only unprotected files', 'untrusted', [{ filename: 'src/app.ts' }, { filename: 'scripts-old/notes.md' }], 'success'],
  ] as const)('judges a pull request that edits %s per settings.protected_paths', async (_name, mode, files, conclusion) => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', repo: `version: 1\nsettings:\n  workflow_changes: ${mode}\n  protected_paths: ["scripts/**"]\npolicies:\n  - name: allow-all\n` });
    if (conclusion === 'success') mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
    else github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockCompare(github, 'main', [...files]);
    github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(conclusion === 'failure' ? 2 : 1).reply(200, []);
    if (conclusion === 'failure') github.api.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 1 });

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe(conclusion);
    if (conclusion === 'failure') {
      expect(check.output.summary).toContain('ran from a change that edits scripts/scan.sh (settings.protected&#95;paths, compared with main)');
      expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(false);
    }
  });

  it('compares a branch pushed without a pull request with the default branch', async () => {
    const { github } = app;
    const payload = workflowRunPayload();
    payload.workflow_run.head_branch = 'feature';
    arrangeRun(github, { ref: 'master', repo: 'version: 1\npolicies:\n  - name: allow-all\n' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    mockCompare(github, 'master', [{ filename: WORKFLOW }]);

    await app.deliver('workflow_run', payload);

    github.assertDone();
    expect(finalCheckRun(github).conclusion).toBe('failure');
    expect(finalCheckRun(github).output.summary).toContain('it differs from master');
  });

  it('judges a pull request whose change leaves the workflow alone, at one more request', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'main', artifacts: imageScan(ALPINE_311), compare: false });
    mockCompare(github, 'main', [{ filename: 'Dockerfile' }, { filename: '.github/workflows/other.yml' }]);
    github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).reply(200, []);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    expect(finalCheckRun(github).conclusion).toBe('success');
    expect(github.requests('GET', `${REPO_PATH}/compare/`)).toHaveLength(1);
  });

  it.each([
    ['the same', 'on: push\n', 'on: push\n', 'success'],
    ['changed', 'on: push\n', 'on: push\njobs: {}\n', 'failure'],
    ['new in this change', undefined, 'on: push\n', 'failure'],
  ])('reads the workflow at the merge base and the head when GitHub cuts the file list: %s', async (_name, before, after, conclusion) => {
    const { github } = app;
    const many = Array.from({ length: 300 }, (_, i) => ({ filename: `src/file-${i}.ts` }));
    arrangeRun(github, { ref: 'main', artifacts: imageScan(ALPINE_311), compare: false });
    mockCompare(github, 'main', many);
    mockFile(github, WORKFLOW, 'c'.repeat(40), before);
    mockFile(github, WORKFLOW, SHA, after);
    github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(2).reply(200, []);
    github.api.post(`${REPO_PATH}/issues/7/comments`).optionally().reply(201, { id: 1 });

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    expect(finalCheckRun(github).conclusion).toBe(conclusion);
    // The reports are downloaded only when the workflow is the base's.
    expect(github.log.some((entry) => entry.path.includes('/artifacts/11/'))).toBe(conclusion === 'success');
    expect(github.log.filter((entry) => decodeURIComponent(entry.path).includes(`/contents/${WORKFLOW}`))).toHaveLength(2);
  });

  it('ends in a completed failing check when the comparison fails', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'main' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 11, name: 'image-scan', size_in_bytes: 10, expired: false }] });
    github.api.get((uri) => uri.includes('/compare/')).times(4).reply(500, { message: 'Server Error' });
    mockNewComment(github, 7);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check).toMatchObject({ status: 'completed', conclusion: 'failure', output: { title: 'The evaluation did not finish' } });
    expect(check.output.summary).toContain(`could not compare ${SHA} with main`);
  });

  it('asks nothing more for a run without a matching artifact', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'main' });
    github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 3, name: 'coverage', size_in_bytes: 10, expired: false }] });
    mockNewComment(github, 7);

    await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

    github.assertDone();
    expect(github.requests('GET', `${REPO_PATH}/compare/`)).toHaveLength(0);
  });
});
