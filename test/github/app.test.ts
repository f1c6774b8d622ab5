import { zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { COMMENT_MARKER } from '../../src/render/pr-comment.ts';
import { createMemoryStore } from '../../src/store/memory.ts';
import type { Store } from '../../src/store/store.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import {
  reevaluationPayload,
  pullRequestPayload,
  imageScan,
  arrangeRun,
  ALPINE_311,
  checkRunBodies,
  finalCheckRun,
  APP_ID,
  INSTALLATION_ID,
  JUICE_DIGEST,
  JUICE_SHOP,
  mockAccessToken,
  mockArtifacts,
  mockCompare,
  mockOnBranch,
  mockFile,
  mockPolicyFiles,
  mockUpdateCheckRun,
  mockCreateCheckRun,
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
 * The most GitHub requests one workflow run with one image may cost (no pull request): 7 since the
 * organization's policy file is read on every evaluation, not only for `extends: [org]`; 8 since a
 * push is trusted only once GitHub's comparison confirms its commit is on the branch (issue 8).
 */
const MAX_REQUESTS_ONE_RUN_ONE_IMAGE = 8;

const app = useAppUnderTest();

describe('src/github/app', () => {
  describe('workflow_run completed', () => {
    it('fails the check for a blocked image, names the CVE and its fix, stores the verdict, within the request budget', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', artifacts: [{ id: 11, name: 'image-scan-api', files: { 'trivy.json': JUICE_SHOP } }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check).toMatchObject({ name: 'image-assurance', head_sha: SHA, status: 'completed', conclusion: 'failure' });
      expect(check.output.title).toBe('1 image blocked by baseline');
      expect(check.output.summary).toContain('CVE-2021-36159');
      expect(check.output.summary).toContain('2.10.7-r0');
      expect(check.output.summary).toContain('preset:baseline applied');
      expect(check.actions).toEqual([{ label: 'Re-evaluate', description: expect.any(String), identifier: 're-evaluate' }]);
      const verdict = await app.store.getVerdict({ repository: `${OWNER}/${REPO}`, digest: JUICE_DIGEST, sha: SHA, policyRef: 'master' });
      expect(verdict).toMatchObject({ repository: `${OWNER}/${REPO}`, sha: SHA, runId: RUN_ID, allowed: false, status: 'blocked', policyRef: 'master', policyFiles: ['preset:baseline'] });
      const state = await app.store.getCheckState(`${OWNER}/${REPO}`, SHA);
      expect(state?.value.checkRunId).toBe(7001);
      // Token, policy file, organization policy file, artifact list, compare, artifact redirect, blob, check run.
      expect(github.log.length).toBeLessThanOrEqual(MAX_REQUESTS_ONE_RUN_ONE_IMAGE);
      const blob = github.log.find((entry) => entry.host !== 'api.github.com');
      expect(blob?.headers.authorization).toBeUndefined();
    });

    it('posts the sticky comment once and edits it (PATCH) on the next run, never duplicating it', async () => {
      const { github } = app;
      const pullRequest = { number: 7, base: 'main' };
      arrangeRun(github, { ref: 'main', artifacts: imageScan(JUICE_SHOP), compare: 'main' });
      github.api.get(`${REPO_PATH}/issues/7/comments`).query(true).times(2).reply(200, [{ id: 1, body: 'LGTM', user: { login: 'octocat', type: 'User' } }]);
      github.api.post(`${REPO_PATH}/issues/7/comments`).reply(201, { id: 555 });
      await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));
      const posted = github.requests('POST', `${REPO_PATH}/issues/7/comments`)[0]!.body as { body: string };

      mockPolicyFiles(github, { ref: 'main' });
      mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': JUICE_SHOP } }]);
      mockCompare(github, 'main');
      mockUpdateCheckRun(github);
      github.api
        .get(`${REPO_PATH}/issues/7/comments`)
        .query(true)
        .reply(200, [
          { id: 1, body: 'LGTM', user: { login: 'octocat', type: 'User' } },
          { id: 555, body: `${posted.body}\nold`, user: { login: 'image-assurance[bot]', type: 'Bot' }, performed_via_github_app: { id: APP_ID } },
        ]);
      github.api.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });
      await app.deliver('workflow_run', workflowRunPayload({ pullRequest, runId: RUN_ID + 1 }));

      github.assertDone();
      expect(posted.body).toContain(COMMENT_MARKER);
      expect(posted.body).toContain('CVE-2021-36159');
      expect(github.requests('POST', `${REPO_PATH}/issues/7/comments`)).toHaveLength(1);
      const edited = github.requests('PATCH', `${REPO_PATH}/issues/comments/555`);
      expect(edited).toHaveLength(1);
      expect((edited[0]!.body as { body: string }).body).toContain(COMMENT_MARKER);
    });

    it('reads the policy from the pull request BASE branch, even when the pull request changes it', async () => {
      const { github } = app;
      const strict = ['version: 1', 'settings:', '  check_name: strict-images', 'policies:', '  - name: no-high', '    rules:', '      severity: high', ''].join('\n');
      // Only the base branch is mocked: asking for the head branch or SHA would be an unmatched request.
      arrangeRun(github, { ref: 'main', repo: strict, artifacts: imageScan(ALPINE_311), compare: 'main' });
      github.api.get(`${REPO_PATH}/issues/9/comments`).query(true).reply(200, []);

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 9, base: 'main' } }));

      github.assertDone();
      const contents = github.log.filter((entry) => entry.path.startsWith(`${REPO_PATH}/contents/`));
      expect(contents.map((entry) => new URL(entry.path, 'https://x').searchParams.get('ref'))).toEqual(['main']);
      const check = finalCheckRun(github);
      expect(check.name).toBe('strict-images');
      expect(check.conclusion).toBe('success');
    });

    it('fails a fork run without downloading its artifacts', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master' });

      await app.deliver('workflow_run', workflowRunPayload({ headRepositoryId: 999 }));

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.title).toBe('Reports from a fork are not trusted');
      expect(check.output.summary).toContain("a fork's workflow cannot vouch for its own image");
      expect(github.log.some((entry) => entry.path.includes('/artifacts'))).toBe(false);
    });

    it('reports a zip bomb as an artifact problem and never unpacks it', async () => {
      const { github } = app;
      const bomb = zipSync({ 'trivy.json': new Uint8Array(16 * 1024 * 1024) }, { level: 9 });
      arrangeRun(github, { ref: 'master', artifacts: [{ id: 11, name: 'image-scan', zip: bomb }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.title).toBe('A scan artifact could not be read');
      expect(check.output.summary).toMatch(/artifact image-scan was not unpacked: trivy\.json: compression ratio \d+:1 exceeds/);
    });

    it('fails a broken policy file with an annotation at its exact line', async () => {
      const { github } = app;
      const broken = ['version: 1', 'policies:', '  - name: prod', '    rules:', '      severity: extreme', ''].join('\n');
      arrangeRun(github, { ref: 'master', repo: broken });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.title).toBe('Policy file is invalid');
      expect(check.output.annotations).toEqual([
        expect.objectContaining({ path: POLICY_PATH, start_line: 5, end_line: 5, start_column: 17, annotation_level: 'failure' }),
      ]);
    });

    it('keeps one check for two workflow runs of one SHA, covering both images', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP) });
      await app.deliver('workflow_run', workflowRunPayload({ name: 'build api' }));

      mockPolicyFiles(github, { ref: 'master' });
      mockArtifacts(github, RUN_ID + 1, [{ id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } }]);
      mockOnBranch(github, 'master');
      mockUpdateCheckRun(github);
      await app.deliver('workflow_run', workflowRunPayload({ name: 'build base', runId: RUN_ID + 1, path: '.github/workflows/base.yml' }));

      github.assertDone();
      expect(github.requests('POST', `${REPO_PATH}/check-runs`)).toHaveLength(1);
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('bkimminich/juice-shop');
      expect(check.output.summary).toContain('alpine:3.11');
      const state = await app.store.getCheckState(`${OWNER}/${REPO}`, SHA);
      expect(Object.keys(state!.value.runs).sort()).toEqual([String(RUN_ID), String(RUN_ID + 1)]);
    });

    it.each([
      ['fail', 'failure', 'No image reports found'],
      ['ignore', 'neutral', 'No image reports found'],
    ])('answers an expired artifact (410) per missing_scan: %s', async (mode, conclusion, title) => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', repo: `version: 1\nextends: [preset:baseline]\nsettings:\n  missing_scan: ${mode}\n`, artifacts: [{ id: 11, name: 'image-scan', downloadStatus: 410 }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe(conclusion);
      expect(check.output.title).toBe(title);
      expect(check.output.summary).toContain('artifact image-scan has expired');
    });

    it.each([
      ['listed as expired', { expired: true }, 'failure', 'artifact image-scan-old could not be read: it has expired'],
      ['larger than the download limit', { sizeInBytes: 200 * 1024 * 1024 }, 'failure', 'more than the 104857600 allowed'],
    ])('does not download an artifact %s, and still judges the other one', async (_name, artifact, conclusion, message) => {
      const { github } = app;
      arrangeRun(github, {
        ref: 'master',
        artifacts: [
          { id: 10, name: 'image-scan-old', ...artifact },
          { id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } },
        ],
      });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe(conclusion);
      expect(check.output.summary).toContain(message);
      expect(check.output.summary).toContain('alpine:3.11');
      expect(github.log.some((entry) => entry.path.includes('/artifacts/10/'))).toBe(false);
    });

    it('answers a run without a matching artifact per missing_scan: fail', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master' });
      github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 1, artifacts: [{ id: 3, name: 'coverage', size_in_bytes: 10, expired: false }] });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('finished without an artifact matching image-scan');
    });

    it('still judges the other image when one artifact answers 404', async () => {
      const { github } = app;
      arrangeRun(github, {
        ref: 'master',
        artifacts: [
          { id: 11, name: 'image-scan-gone', downloadStatus: 404 },
          { id: 12, name: 'image-scan-api', files: { 'trivy.json': JUICE_SHOP } },
        ],
      });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.summary).toContain('artifact image-scan-gone could not be found');
      expect(check.output.summary).toContain('CVE-2021-36159');
      expect(await app.store.getVerdict({ repository: `${OWNER}/${REPO}`, digest: JUICE_DIGEST, sha: SHA, policyRef: 'master' })).toBeDefined();
    });

    it('survives a secondary rate limit and a 502 (retried by Probot octokit)', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master' });
      github.api
        .get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`)
        .query(true)
        .reply(403, { message: 'You have exceeded a secondary rate limit. Please wait a few minutes before you try again.' }, { 'retry-after': '0' });
      github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(502, { message: 'Bad Gateway' });
      mockArtifacts(github, RUN_ID, [{ id: 12, name: 'image-scan', files: { 'trivy.json': ALPINE_311 } }]);
      mockOnBranch(github, 'master');

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      expect(finalCheckRun(github).conclusion).toBe('success');
    });

    it('ends in a completed failing check that says what failed when GitHub keeps failing', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master' });
      github.api.get(`${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`).query(true).times(4).reply(500, { message: 'Server Error' });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(check.output.title).toBe('The evaluation did not finish');
      expect(check.output.summary).toContain(`could not list the artifacts of workflow run ${RUN_ID}`);
      expect(check.output.summary).toContain('500');
    });

    it('ends in a completed failing check even when the store fails, writing the check run directly', async () => {
      const working = createMemoryStore();
      const broken: Store = {
        ...working,
        getCheckState: async () => {
          throw new Error('the check state table is unavailable');
        },
      };
      await app.restart({ store: broken });
      const { github } = app;
      // The commit's state (its pull requests and their bases) is read first: nothing is downloaded.
      mockAccessToken(github);
      mockCreateCheckRun(github);

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check).toMatchObject({ status: 'completed', conclusion: 'failure' });
      expect(check.output.summary).toContain('the check state table is unavailable');
    });

    it('annotates the Dockerfile USER line when root_user fails', async () => {
      const { github } = app;
      const policy = ['version: 1', 'policies:', '  - name: non-root', '    rules:', '      root_user: deny', ''].join('\n');
      arrangeRun(github, { ref: 'master', repo: policy, artifacts: imageScan(ALPINE_311) });
      mockFile(github, 'Dockerfile', SHA, 'FROM alpine:3.11\nRUN apk add curl\nUSER root\nCMD ["sh"]\n');

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.annotations).toEqual([expect.objectContaining({ path: 'Dockerfile', start_line: 3, annotation_level: 'failure' })]);
    });
  });

  describe('policy sources', () => {
    it.each([
      ['an approved base', 'FROM alpine:3.11\nUSER app\n', 'success', []],
      ['an unapproved base, annotated at its FROM line', 'FROM ubuntu:22.04 AS build\nRUN make\nFROM debian:12\nUSER app\n', 'failure', [3]],
    ])('takes the base image from the Dockerfile when no label gives it: %s', async (_name, dockerfile, conclusion, lines) => {
      const { github } = app;
      const policy = ['version: 1', 'policies:', '  - name: bases', '    rules:', '      base_images: ["docker.io/library/alpine:3.*"]', ''].join('\n');
      arrangeRun(github, { ref: 'master', repo: policy, artifacts: imageScan(ALPINE_311) });
      mockFile(github, 'Dockerfile', SHA, dockerfile);

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe(conclusion);
      expect(check.output.annotations ?? []).toEqual(lines.map((line) => expect.objectContaining({ path: 'Dockerfile', start_line: line })));
    });

    it("adds the organization's policies with extends: [org], read from <owner>/.github", async () => {
      const { github } = app;
      const org = ['version: 1', 'policies:', '  - name: org-no-critical', '    rules:', '      severity: critical', ''].join('\n');
      // Read once, though it is both a root and extended.
      arrangeRun(github, { ref: 'master', repo: 'version: 1\nextends: [org]\n', org, artifacts: imageScan(JUICE_SHOP) });

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('failure');
      expect(check.output.title).toBe('1 image blocked by org-no-critical');
      expect(check.output.summary).toContain(`org:${OWNER}/.github/${POLICY_PATH}`);
    });

    it('sends more than 50 annotations in batches: 50 with the create, the rest in an update', async () => {
      const { github } = app;
      const policies = Array.from({ length: 60 }, (_, i) => `  - name: p${i}\n    rules:\n      severity: extreme`);
      arrangeRun(github, { ref: 'master', repo: ['version: 1', 'policies:', ...policies, ''].join('\n') });
      mockUpdateCheckRun(github);

      await app.deliver('workflow_run', workflowRunPayload());

      github.assertDone();
      const [created, updated] = checkRunBodies(github);
      expect(created!.output.annotations).toHaveLength(50);
      expect(created!.conclusion).toBe('failure');
      expect(updated!.output.annotations).toHaveLength(10);
      expect(updated!.output.annotations[0].start_line).toBe(3 + 50 * 3 + 2);
    });
  });

  describe('early checks', () => {
    it('creates the check in progress when a workflow run starts, without evaluating', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', checkRunId: 8001 });

      await app.deliver('workflow_run', workflowRunPayload({}, 'webhooks/workflow_run.requested.json'));

      github.assertDone();
      expect(checkRunBodies(github)).toEqual([expect.objectContaining({ name: 'image-assurance', head_sha: SHA, status: 'queued' })]);
      expect((await app.store.getCheckState(`${OWNER}/${REPO}`, SHA))?.value.checkRunId).toBe(8001);
    });

    it('asks GitHub nothing when a later run starts on a commit that has its check', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'master', checkRunId: 8001 });
      await app.deliver('workflow_run', workflowRunPayload({}, 'webhooks/workflow_run.requested.json'));
      const requestsAfterFirst = github.log.length;

      await app.deliver('workflow_run', workflowRunPayload({ runId: RUN_ID + 1 }, 'webhooks/workflow_run.requested.json'));

      github.assertDone();
      expect(github.log.length).toBe(requestsAfterFirst);
    });

    it('creates the check queued when a pull request opens, then completes that same check', async () => {
      const { github } = app;
      const payload = readFixtureJson<Record<string, any>>('webhooks/pull_request.opened.json');
      payload.installation = { id: INSTALLATION_ID };
      payload.repository.owner.login = OWNER;
      payload.repository.name = REPO;
      payload.pull_request.head.sha = SHA;
      arrangeRun(github, { ref: 'master', checkRunId: 8002 });
      // The policy preview asks which files the pull request changes (not the policy file here).
      mockCompare(github, payload.pull_request.base.ref);
      await app.deliver('pull_request', payload);

      const run = workflowRunPayload();
      run.repository.id = payload.repository.id;
      run.workflow_run.head_repository.id = payload.repository.id;
      run.workflow_run.repository.id = payload.repository.id;
      mockPolicyFiles(github, { ref: 'master' });
      mockArtifacts(github, RUN_ID, imageScan(ALPINE_311));
      mockOnBranch(github, 'master');
      mockUpdateCheckRun(github, 8002);
      github.api.get(`${REPO_PATH}/issues/${payload.pull_request.number}/comments`).query(true).reply(200, []);
      await app.deliver('workflow_run', run);

      github.assertDone();
      expect(checkRunBodies(github)[0]).toMatchObject({ status: 'queued', head_sha: SHA });
      expect(github.requests('PATCH', `${REPO_PATH}/check-runs/8002`)).toHaveLength(1);
      expect(finalCheckRun(github).conclusion).toBe('success');
      // on-failure: a green pull request gets no new comment.
      expect(github.requests('POST', `${REPO_PATH}/issues`)).toHaveLength(0);
    });
    it('comments on a second pull request into a branch its commit was judged for already, carrying the verdict over', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'release/1.x', artifacts: imageScan(JUICE_SHOP), compare: 'release/1.x' });
      mockNewComment(github, 4, 4);
      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 4, base: 'release/1.x' } }));
      const payload = pullRequestPayload('release/1.x', 9);

      mockPolicyFiles(github, { ref: 'release/1.x' });
      mockUpdateCheckRun(github);
      github.api.get(`${REPO_PATH}/issues/4/comments`).query(true).reply(200, [{ id: 4, body: `${COMMENT_MARKER}\nold`, user: { login: 'image-assurance[bot]', type: 'Bot' }, performed_via_github_app: { id: APP_ID } }]);
      github.api.patch(`${REPO_PATH}/issues/comments/4`).reply(200, { id: 4 });
      mockNewComment(github, 9, 9);
      // The policy preview asks which files the pull request changes (not the policy file here).
      mockCompare(github, payload.pull_request.base.ref);
      await app.deliver('pull_request', payload);

      github.assertDone();
      // Not judged again: no second artifact download.
      expect(github.requests('GET', `${REPO_PATH}/actions/runs/${RUN_ID}/artifacts`)).toHaveLength(1);
      const comment = github.requests('POST', `${REPO_PATH}/issues/9/comments`)[0]!.body as { body: string };
      expect(comment.body).toContain('CVE-2021-36159');
    });

    it("judges the commit's runs again when a pull request into the default branch joins it, and comments", async () => {
      const { github } = app;
      // A push to a feature branch: judged with the default branch's policy, scoped to branch "feature".
      const push = workflowRunPayload();
      push.workflow_run.head_branch = 'feature';
      arrangeRun(github, { ref: 'master', artifacts: imageScan(JUICE_SHOP), compare: 'master' });
      await app.deliver('workflow_run', push);
      const payload = pullRequestPayload('master');
      const number: number = payload.pull_request.number;

      mockPolicyFiles(github, { ref: 'master' });
      mockRunsOfCommit(github, [push.workflow_run]);
      // Master's policy, read once by this job, judges the run again.
      mockArtifacts(github, RUN_ID, imageScan(JUICE_SHOP));
      mockCompare(github, 'master');
      mockUpdateCheckRun(github);
      mockNewComment(github, number, 9);
      // The policy preview asks which files the pull request changes (not the policy file here).
      mockCompare(github, payload.pull_request.base.ref);
      await app.deliver('pull_request', payload);

      github.assertDone();
      expect(github.requests('POST', `${REPO_PATH}/check-runs`)).toHaveLength(1);
      const comment = github.requests('POST', `${REPO_PATH}/issues/${number}/comments`)[0]!.body as { body: string };
      expect(comment.body).toContain('CVE-2021-36159');
    });
  });

  describe('re-evaluation', () => {
    it.each([
      ['check_run requested_action re-evaluate', 'check_run', 'webhooks/check_run.requested_action.json'],
      ['check_run rerequested', 'check_run', 'webhooks/check_run.rerequested.json'],
      ['check_suite rerequested', 'check_suite', 'webhooks/check_suite.rerequested.json'],
    ])('judges the same artifacts again with the current policy: %s', async (_name, event, fixture) => {
      const { github } = app;
      const payload = reevaluationPayload(fixture, { id: APP_ID });
      const run = workflowRunPayload().workflow_run;
      arrangeRun(github, { ref: 'master', repo: 'version: 1\npolicies:\n  - name: allow-all\n', artifacts: imageScan(JUICE_SHOP) });
      mockRunsOfCommit(github, [run]);

      await app.deliver(event, payload);

      github.assertDone();
      const check = finalCheckRun(github);
      expect(check.conclusion).toBe('success');
      expect(check.output.title).toBe('1 image allowed');
    });

    it('ignores another button of the check run', async () => {
      const payload = readFixtureJson<Record<string, any>>('webhooks/check_run.requested_action.json');
      payload.installation = { id: INSTALLATION_ID };

      await app.deliver('check_run', payload);

      app.github.assertDone();
      expect(app.github.log).toEqual([]);
    });
  });

  describe('the sticky comment', () => {
    it('edits the existing comment when the pull request turns green under on-failure, and posts none under never', async () => {
      const { github } = app;
      const pullRequest = { number: 7, base: 'main' };
      arrangeRun(github, { ref: 'main', artifacts: imageScan(ALPINE_311), compare: 'main' });
      github.api
        .get(`${REPO_PATH}/issues/7/comments`)
        .query(true)
        .reply(200, [{ id: 555, body: `${COMMENT_MARKER}\nblocked before`, user: { login: 'image-assurance[bot]', type: 'Bot' }, performed_via_github_app: { id: APP_ID } }]);
      github.api.patch(`${REPO_PATH}/issues/comments/555`).reply(200, { id: 555 });

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest }));

      github.assertDone();
      expect(finalCheckRun(github).conclusion).toBe('success');
      const edited = github.requests('PATCH', `${REPO_PATH}/issues/comments/555`)[0]!.body as { body: string };
      expect(edited.body).toContain(COMMENT_MARKER);
      expect(edited.body).not.toContain('blocked before');
    });

    it('writes no comment with comment: never', async () => {
      const { github } = app;
      arrangeRun(github, { ref: 'main', repo: 'version: 1\nextends: [preset:baseline]\nsettings:\n  comment: never\n', artifacts: imageScan(JUICE_SHOP), compare: 'main' });

      await app.deliver('workflow_run', workflowRunPayload({ pullRequest: { number: 7, base: 'main' } }));

      github.assertDone();
      expect(finalCheckRun(github).conclusion).toBe('failure');
      expect(github.log.some((entry) => entry.path.includes('/issues/'))).toBe(false);
    });
  });
});

describe("src/github/app (the organization's policy always applies)", () => {
  const ORG_FILE = `org:${OWNER}/.github/${POLICY_PATH}`;
  const ORG_NO_CRITICAL = ['version: 1', 'policies:', '  - name: org-no-critical', '    rules:', '      severity: critical', ''].join('\n');

  it.each([
    ['a repository file without extends: [org]', 'version: 1\npolicies:\n  - name: allow-all\n'],
    ['no repository file (the organization and preset:baseline)', undefined],
  ])('applies with %s', async (_name, repoFile) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', ...(repoFile === undefined ? {} : { repo: repoFile }), org: ORG_NO_CRITICAL, artifacts: imageScan(JUICE_SHOP) });

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toMatch(/^1 image blocked by .*org-no-critical/);
    expect(check.output.summary).toContain(`The organization's policy ${ORG_FILE} applied`);
    const state = await app.store.getCheckState(`${OWNER}/${REPO}`, SHA);
    expect(state?.value.sources).toEqual(repoFile === undefined ? [ORG_FILE, 'preset:baseline'] : [ORG_FILE, POLICY_PATH]);
    if (repoFile === undefined) expect(check.output.summary).toContain('preset:baseline applied');
  });

  it.each([
    {
      key: 'forks',
      org: 'forks: untrusted',
      repo: 'forks: trusted',
      payload: () => workflowRunPayload({ headRepositoryId: 999 }),
      artifacts: undefined,
      title: 'Reports from a fork are not trusted',
    },
    {
      key: 'missing_scan',
      org: 'missing_scan: fail',
      repo: 'missing_scan: ignore',
      payload: () => workflowRunPayload(),
      artifacts: [{ id: 11, name: 'image-scan', downloadStatus: 410 }],
      title: 'No image reports found',
    },
    {
      key: 'unscoped_images',
      org: 'unscoped_images: block',
      repo: 'unscoped_images: allow',
      payload: () => workflowRunPayload(),
      artifacts: imageScan(ALPINE_311),
      title: '1 image blocked',
    },
  ])("keeps the organization's $key floor against a repository file that does not extend it", async ({ org, repo, payload, artifacts, title }) => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: `version: 1\nsettings:\n  ${repo}\n`, org: `version: 1\nsettings:\n  ${org}\n` });
    if (artifacts) mockArtifacts(github, RUN_ID, artifacts);
    if (artifacts) mockOnBranch(github, 'master');

    await app.deliver('workflow_run', payload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toBe(title);
  });

  it("does not let a repository exception waive the organization's policy", async () => {
    const { github } = app;
    const org = ['version: 1', 'policies:', '  - name: org-cves', '    rules:', '      cves: [CVE-2021-36159]', ''].join('\n');
    const repo = ['version: 1', 'exceptions:', '  - id: CVE-2021-36159', '    reason: we accept it', '    expires: 2099-01-01', ''].join('\n');
    arrangeRun(github, { ref: 'master', repo, org, artifacts: imageScan(JUICE_SHOP) });

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toBe('1 image blocked by org-cves');
    expect(check.output.summary).toContain('CVE-2021-36159');
  });

  it('fails the check with a policy problem that names a broken organization file', async () => {
    const { github } = app;
    arrangeRun(github, { ref: 'master', repo: 'version: 1\n', org: 'version: 1\npolicies:\n  - name: org\n    rules:\n      severity: extreme\n' });

    await app.deliver('workflow_run', workflowRunPayload());

    github.assertDone();
    const check = finalCheckRun(github);
    expect(check.conclusion).toBe('failure');
    expect(check.output.title).toBe('Policy file is invalid');
    expect(check.output.summary).toContain(`${ORG_FILE}:5:17`);
    // Only the repository's own file can carry annotations.
    expect(check.output.annotations ?? []).toEqual([]);
    expect(github.log.some((entry) => entry.path.includes('/artifacts'))).toBe(false);
  });

  it("does not read the organization's file twice for the <owner>/.github repository itself", async () => {
    const { github } = app;
    const orgRepoPath = `/repos/${OWNER}/.github`;
    const payload = workflowRunPayload();
    payload.repository.name = '.github';
    payload.repository.full_name = `${OWNER}/.github`;
    mockAccessToken(github);
    mockFile(github, POLICY_PATH, 'master', 'version: 1\npolicies:\n  - name: allow-all\n', orgRepoPath);
    github.api.get(`${orgRepoPath}/actions/runs/${RUN_ID}/artifacts`).query(true).reply(200, { total_count: 0, artifacts: [] });
    github.api.post(`${orgRepoPath}/check-runs`).reply(201, { id: 7001, html_url: 'https://github.com/c' });

    await app.deliver('workflow_run', payload);

    // Any read of the file without a ref (the organization's) would be an unmatched request.
    github.assertDone();
    expect(github.requests('GET', `${orgRepoPath}/contents/`)).toHaveLength(1);
  });
});
