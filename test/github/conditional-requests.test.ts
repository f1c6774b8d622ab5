import { describe, expect, it } from 'vitest';
import { ALPINE_311, finalCheckRun, imageScan, mockAccessToken, mockArtifacts, mockCreateCheckRun, mockFile, mockOnBranch, ORG_REPO_PATH, POLICY_PATH, REPO_PATH, useAppUnderTest, workflowRunPayload } from './app-harness.ts';

/**
 * The worker spends GitHub's rate limit like a good citizen: the installation token is reused
 * across jobs, and the policy files are asked for with If-None-Match, a 304 reusing the text
 * kept from the last answer. Each job is a signed delivery through the real app; GitHub is nock.
 */

const policy = (checkName: string) => `version: 1\nsettings:\n  check_name: ${checkName}\npolicies:\n  - name: p\n    rules:\n      secrets: deny\n`;

const app = useAppUnderTest();

/** The repository's policy file on master: answers 200 with `etag` and `text`, or 304 when asked with `ifNoneMatch`. */
function mockPolicy(answer: { ifNoneMatch?: string; status: 200 | 304; etag?: string; text?: string }): void {
  const interceptor = app.github.api.get((uri) => {
    const url = new URL(uri, 'https://api.github.com');
    return decodeURIComponent(url.pathname) === `${REPO_PATH}/contents/${POLICY_PATH}` && url.searchParams.get('ref') === 'master';
  });
  const matched = answer.ifNoneMatch === undefined ? interceptor.matchHeader('if-none-match', (value) => value === undefined) : interceptor.matchHeader('if-none-match', answer.ifNoneMatch);
  if (answer.status === 304) matched.reply(304, '', { etag: answer.ifNoneMatch! });
  else matched.reply(200, answer.text, { 'content-type': 'application/vnd.github.raw; charset=utf-8', etag: answer.etag! });
}

/** One run of its own commit with the one image, its check run created. */
function arrangeRunOf(index: number): { payload: Record<string, any> } {
  const runId = 5000 + index;
  mockFile(app.github, POLICY_PATH, undefined, undefined, ORG_REPO_PATH);
  mockArtifacts(app.github, runId, imageScan(ALPINE_311));
  mockOnBranch(app.github, 'master', String(index).repeat(40));
  mockCreateCheckRun(app.github, 7000 + index);
  return { payload: workflowRunPayload({ runId, headSha: String(index).repeat(40) }) };
}

describe('src/github/conditional-requests', () => {
  it('reuses the installation token and the policy file GitHub answers 304 for, and takes a changed one', async () => {
    const { github } = app;
    mockAccessToken(github);
    mockPolicy({ status: 200, etag: '"v1"', text: policy('image-gate') });
    const first = arrangeRunOf(1);
    await app.deliver('workflow_run', first.payload);
    const firstCheck = finalCheckRun(github);

    mockPolicy({ ifNoneMatch: '"v1"', status: 304 });
    const second = arrangeRunOf(2);
    const requestsBefore = github.log.length;
    await app.deliver('workflow_run', second.payload);
    const secondCheck = finalCheckRun(github);
    const secondRequests = github.log.slice(requestsBefore);

    mockPolicy({ ifNoneMatch: '"v1"', status: 200, etag: '"v2"', text: policy('image-gate-v2') });
    const third = arrangeRunOf(3);
    await app.deliver('workflow_run', third.payload);
    const thirdCheck = finalCheckRun(github);

    github.assertDone();
    expect(github.requests('POST', '/app/installations/')).toHaveLength(1);
    expect(firstCheck).toMatchObject({ name: 'image-gate', head_sha: '1'.repeat(40) });
    expect(secondCheck).toMatchObject({ name: 'image-gate', head_sha: '2'.repeat(40) });
    expect(thirdCheck).toMatchObject({ name: 'image-gate-v2', head_sha: '3'.repeat(40) });
    // The organization's file does not exist: a 404 is never kept, so it is asked for unconditionally.
    expect(github.requests('GET', `${ORG_REPO_PATH}/contents/`).map((request) => request.headers['if-none-match'])).toEqual([undefined, undefined, undefined]);
    expect(secondRequests.map((request) => `${request.method} ${request.path.split('?')[0]}`).sort()).toEqual([
      'GET /artifacts/11.zip',
      `GET ${ORG_REPO_PATH}/contents/.github%2Fimage-assurance.yml`,
      `GET ${REPO_PATH}/actions/artifacts/11/zip`,
      `GET ${REPO_PATH}/actions/runs/5002/artifacts`,
      `GET ${REPO_PATH}/compare/master...${'2'.repeat(40)}`,
      `GET ${REPO_PATH}/contents/.github%2Fimage-assurance.yml`,
      `POST ${REPO_PATH}/check-runs`,
    ]);
  });

  it('asks again without a condition once the file is gone', async () => {
    const { github } = app;
    mockAccessToken(github);
    mockPolicy({ status: 200, etag: '"v1"', text: policy('image-gate') });
    await app.deliver('workflow_run', arrangeRunOf(1).payload);
    mockFile(github, POLICY_PATH, 'master', undefined);
    await app.deliver('workflow_run', arrangeRunOf(2).payload);

    mockPolicy({ status: 200, etag: '"v3"', text: policy('image-gate-v3') });
    await app.deliver('workflow_run', arrangeRunOf(3).payload);

    github.assertDone();
    const names = github.requests('POST', `${REPO_PATH}/check-runs`).map((request) => (request.body as { name: string }).name);
    expect(names).toEqual(['image-gate', 'image-assurance', 'image-gate-v3']);
  });
});
