import { ProbotOctokit } from 'probot';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { fetchArtifactZip } from '../../src/artifacts/fetch-artifacts.ts';
import { OperationError } from '../../src/errors.ts';
import { createGitHubMock } from '../helpers/github-mock.ts';
import type { GitHubMock } from '../helpers/github-mock.ts';

const BLOB = 'https://blob.example.test';
const ARTIFACT = { owner: 'acme', repo: 'api', id: 5, name: 'image-scan' };

let github: GitHubMock;
const octokit = () => new ProbotOctokit({ auth: { token: 'ghs_secret' }, retry: { enabled: false }, throttle: { enabled: false } });

beforeEach(() => {
  github = createGitHubMock();
  github.api.get('/repos/acme/api/actions/artifacts/5/zip').reply(302, '', { location: `${BLOB}/5.zip?sig=1` });
});

afterEach(() => {
  github.restore();
});

describe('src/artifacts/fetch-artifacts', () => {
  it('downloads the zip from the blob URL without our token', async () => {
    github.host(BLOB).get('/5.zip').query({ sig: '1' }).reply(200, Buffer.from('PK zip bytes'));

    const download = await fetchArtifactZip(octokit(), ARTIFACT);

    github.assertDone();
    expect(download.ok).toBe(true);
    expect(github.log.find((entry) => entry.host === 'blob.example.test')?.headers.authorization).toBeUndefined();
  });

  it('fails a stalled download with what happened, so the check still completes', async () => {
    github.host(BLOB).get('/5.zip').query({ sig: '1' }).delay(5_000).reply(200, Buffer.from('late'));

    const download = fetchArtifactZip(octokit(), { ...ARTIFACT, timeoutMs: 50 });

    await expect(download).rejects.toThrow(OperationError);
    await expect(download).rejects.toThrow('could not download artifact image-scan from its blob URL (it took longer than 0.05 s)');
  });

  it('refuses a blob URL that redirects to plain HTTP', async () => {
    github.host(BLOB).get('/5.zip').query({ sig: '1' }).reply(302, '', { location: 'http://plain.example.test/5.zip' });
    github.host('http://plain.example.test').get('/5.zip').optionally().reply(200, Buffer.from('forged'));

    const download = await fetchArtifactZip(octokit(), ARTIFACT);

    expect(download).toEqual({ ok: false, status: 'refused', reason: 'artifact image-scan was not downloaded: its download link is not HTTPS' });
  });

  it('refuses a zip whose declared length is over the cap before reading it', async () => {
    github.host(BLOB).get('/5.zip').query({ sig: '1' }).reply(200, Buffer.from('x'.repeat(10)), { 'content-length': '10' });

    const download = await fetchArtifactZip(octokit(), { ...ARTIFACT, maxBytes: 5 });

    expect(download).toMatchObject({ ok: false, status: 'too-large' });
  });
});
