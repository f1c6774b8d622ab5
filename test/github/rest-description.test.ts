import { Octokit } from '@octokit/rest';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createGitHubMock, GITHUB_API } from '../helpers/github-mock.ts';
import type { GitHubMock } from '../helpers/github-mock.ts';

/**
 * The GitHub mock's check against GitHub's REST description (test/helpers/github-description.ts)
 * must fail on what GitHub does not have, so it cannot pass silently: real octokit requests,
 * answered by nock, then `assertDone`.
 */

const quiet = { debug: () => {}, info: () => {}, warn: () => {}, error: () => {} };
const octokit = () => new Octokit({ auth: 'ghs_test', baseUrl: GITHUB_API, log: quiet });
const REPO = '/repos/acme/api';

let github: GitHubMock;

beforeEach(() => {
  github = createGitHubMock();
});

afterEach(() => {
  github.restore();
});

/** The message assertDone throws for what was sent (every mock used, nothing unmatched). */
function assertDoneError(): string {
  try {
    github.assertDone();
  } catch (error) {
    return (error as Error).message;
  }
  throw new Error('assertDone passed');
}

describe('the GitHub mock checks every api.github.com request against @octokit/openapi', () => {
  it('fails a path GitHub does not have, naming the request', async () => {
    github.api.get(`${REPO}/check-run/7`).reply(200, {});

    await octokit().request('GET /repos/{owner}/{repo}/check-run/{id}', { owner: 'acme', repo: 'api', id: 7 });

    expect(assertDoneError()).toContain("GET /repos/acme/api/check-run/7: no operation GET /repos/acme/api/check-run/7 in GitHub's REST description");
  });

  it('fails a method the path does not take', async () => {
    github.api.delete(`${REPO}/check-runs/7`).reply(204);

    await octokit().request('DELETE /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner: 'acme', repo: 'api', check_run_id: 7 });

    expect(assertDoneError()).toContain('DELETE /repos/acme/api/check-runs/7: no operation');
  });

  it('fails a body property of the wrong type, naming the operation and the property', async () => {
    github.api.post(`${REPO}/check-runs`).reply(201, { id: 1 });

    await octokit().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'api', name: 'image-assurance', head_sha: 123 as unknown as string });

    expect(assertDoneError()).toContain('POST /repos/acme/api/check-runs (checks/create, POST /repos/{owner}/{repo}/check-runs): body body/head_sha: must be string');
  });

  it('fails a body that breaks a limit GitHub documents (an action description over 40 characters)', async () => {
    github.api.patch(`${REPO}/check-runs/7`).reply(200, { id: 7 });

    await octokit().rest.checks.update({ owner: 'acme', repo: 'api', check_run_id: 7, actions: [{ label: 'Re-evaluate', identifier: 're-evaluate', description: 'x'.repeat(41) }] });

    expect(assertDoneError()).toContain('body body/actions/0/description: must NOT have more than 40 characters');
  });

  it('fails a body property GitHub does not describe (a misspelt field GitHub would ignore), at any depth', async () => {
    github.api.post(`${REPO}/check-runs`).reply(201, { id: 1 });

    await octokit().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'api', name: 'n', head_sha: 'a'.repeat(40), detail_url: 'https://x.test', output: { title: 't', summary: 's', sumary: 's' } as never });

    const message = assertDoneError();
    expect(message).toContain('body: property "detail_url" is not in GitHub\'s description');
    expect(message).toContain('body/output: property "sumary" is not in GitHub\'s description');
  });

  it('fails a body missing a required property, and a required body that is missing', async () => {
    github.api.post(`${REPO}/check-runs`).twice().reply(201, { id: 1 });

    await octokit().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'api', name: 'n' } as never);
    await octokit().request('POST /repos/{owner}/{repo}/check-runs', { owner: 'acme', repo: 'api', data: undefined } as never);

    const message = assertDoneError();
    expect(message).toContain("body body: must have required property 'head_sha'");
    expect(message).toContain('sends no body, but the operation requires one');
  });

  it('fails a query parameter the operation does not declare, listing the declared ones', async () => {
    github.api.get(`${REPO}/commits`).query({ branch: 'main' }).reply(200, []);

    await octokit().request('GET /repos/{owner}/{repo}/commits', { owner: 'acme', repo: 'api', branch: 'main' } as never);

    expect(assertDoneError()).toMatch(/GET \/repos\/acme\/api\/commits\?branch=main \(repos\/list-commits, .*\): query parameter "branch" not declared \(declared: sha, path, /);
  });

  it('fails a path or query value of the wrong type', async () => {
    github.api.get(`${REPO}/check-runs/latest`).reply(200, {});
    github.api.get(`${REPO}/commits`).query({ per_page: 'many' }).reply(200, []);

    await octokit().request('GET /repos/{owner}/{repo}/check-runs/{check_run_id}', { owner: 'acme', repo: 'api', check_run_id: 'latest' as unknown as number });
    await octokit().request('GET /repos/{owner}/{repo}/commits', { owner: 'acme', repo: 'api', per_page: 'many' as unknown as number });

    const message = assertDoneError();
    expect(message).toContain('GET /repos/acme/api/check-runs/latest (checks/get, GET /repos/{owner}/{repo}/check-runs/{check_run_id}): path /check_run_id: must be integer');
    expect(message).toContain('query /per_page: must be integer');
  });

  it('fails a success status GitHub does not document for the operation, and a 304 to a GET that asked nothing', async () => {
    github.api.get(REPO).reply(201, { default_branch: 'main' });
    github.api.get(`${REPO}/commits`).reply(304);

    await octokit().rest.repos.get({ owner: 'acme', repo: 'api' });
    await octokit()
      .rest.repos.listCommits({ owner: 'acme', repo: 'api' })
      .catch(() => undefined);

    const message = assertDoneError();
    expect(message).toContain('GET /repos/acme/api (repos/get, GET /repos/{owner}/{repo}): the mock answers 201, which GitHub does not document for this operation (documented: 200, 301, 403, 404)');
    expect(message).toContain('GET /repos/acme/api/commits (repos/list-commits, GET /repos/{owner}/{repo}/commits): the mock answers 304');
  });

  it('fails in restore when a test never called assertDone', async () => {
    github.api.get(`${REPO}/nope`).reply(200, {});
    await octokit().request('GET /repos/{owner}/{repo}/nope', { owner: 'acme', repo: 'api' });

    expect(() => github.restore()).toThrow('GET /repos/acme/api/nope: no operation');
  });

  it('passes what GitHub has: encoded and plain contents paths, a three-dot comparison, a conditional 304, a redirect, errors, other hosts', async () => {
    github.api.get(`${REPO}/contents/.github%2Fimage-assurance.yml`).query({ ref: 'main' }).reply(200, 'policy');
    github.api.get(`${REPO}/contents/docker/app/Dockerfile`).reply(304);
    github.api.get(`${REPO}/compare/main...feature%2Fx`).query({ per_page: 1 }).reply(200, { status: 'ahead', files: [] });
    github.api.post(`${REPO}/check-runs`).reply(201, { id: 7 });
    github.api.patch(`${REPO}/check-runs/7`).reply(200, { id: 7 });
    github.api.get(`${REPO}/actions/artifacts/5/zip`).reply(302, '', { location: 'https://blob.example.test/5.zip' });
    github.host('https://blob.example.test').get('/5.zip').reply(201, 'not GitHub');
    github.api.get(`${REPO}/collaborators/octocat/permission`).reply(500, { message: 'boom' });

    await octokit().rest.repos.getContent({ owner: 'acme', repo: 'api', path: '.github/image-assurance.yml', ref: 'main', mediaType: { format: 'raw' } });
    await octokit()
      .request('GET /repos/{owner}/{repo}/contents/docker/app/Dockerfile', { owner: 'acme', repo: 'api', headers: { 'if-none-match': '"etag"' } })
      .catch(() => undefined);
    await octokit().rest.repos.compareCommitsWithBasehead({ owner: 'acme', repo: 'api', basehead: 'main...feature/x', per_page: 1 });
    await octokit().rest.checks.create({
      owner: 'acme',
      repo: 'api',
      name: 'image-assurance',
      head_sha: 'a'.repeat(40),
      status: 'completed',
      conclusion: 'failure',
      completed_at: new Date(0).toISOString(),
      output: { title: 't', summary: 's', annotations: [{ path: 'Dockerfile', start_line: 1, end_line: 1, annotation_level: 'failure', message: 'm', title: 'CVE' }] },
      actions: [{ label: 'Re-evaluate', identifier: 're-evaluate', description: 'Judge again with the current policy' }],
    });
    await octokit().rest.checks.update({ owner: 'acme', repo: 'api', check_run_id: 7, output: { title: 't', summary: 's' } });
    await octokit().request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', { owner: 'acme', repo: 'api', artifact_id: 5, archive_format: 'zip' });
    await octokit()
      .rest.repos.getCollaboratorPermissionLevel({ owner: 'acme', repo: 'api', username: 'octocat' })
      .catch(() => undefined);

    github.assertDone();
    expect(github.log.map((entry) => entry.status)).toEqual([200, 304, 200, 201, 200, 302, 201, 500]);
  });
});
