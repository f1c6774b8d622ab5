import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createWorkerHandler, handler, jobOfRecord } from '../../functions/worker.ts';
import { createWorker } from '../../src/worker/worker.ts';
import type { DynamoStore } from '../../src/store/dynamo.ts';
import { keys } from '../../src/store/table.ts';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';
import { mockPolicyFiles } from '../github/app-harness.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import type { GitHubMock } from '../helpers/github-mock.ts';
import { type GitHubBesideLoopback, mockGitHubBesideLoopback } from './github-beside-loopback.ts';
import { TEST_WEBHOOK_SECRET } from '../helpers/sign.ts';
import { type FakeSsm, startFakeSsm, stubColdStartEnv } from './cold-start.ts';
import { jobKey, streamRecordOf, TEST_STREAM_ARN } from './stream-event.ts';

const NOW = new Date('2026-11-26T00:00:00Z');
const REVISION = '6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b';
const REPO_PATH = '/repos/Codertocat/hello-world-npm';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const log = pino({ level: 'silent' });

function publishPayload(installationId: number): Record<string, unknown> {
  return { ...readFixtureJson<Record<string, unknown>>('webhooks/registry_package.published.json'), installation: { id: installationId } };
}

let table: TestTable;
let github: GitHubMock;
let store: DynamoStore;
beforeAll(async () => {
  table = await startTestTable();
});
afterAll(async () => {
  await table.stop();
});
let mocked: GitHubBesideLoopback;
beforeEach(async () => {
  mocked = mockGitHubBesideLoopback();
  github = mocked.github;
  store = await table.newStore();
});
afterEach(() => {
  mocked.restore();
});

function assertGitHubDone(): void {
  mocked.assertDone();
}

function mockPublishFlow(installationId: number, checkRunStatus: number, existingCheckRunId?: number): void {
  github.api.post(`/app/installations/${installationId}/access_tokens`).reply(201, { token: `ghs_${installationId}`, expires_at: '2099-01-01T00:00:00Z', permissions: {}, repository_selection: 'all' });
  mockPolicyFiles(github, { ref: 'master', repository: 'Codertocat/hello-world-npm' });
  const body = checkRunStatus < 300 ? { id: existingCheckRunId ?? 900 + installationId, html_url: 'https://github.com/c' } : { message: 'Unprocessable' };
  if (existingCheckRunId === undefined) github.api.post(`${REPO_PATH}/check-runs`).reply(checkRunStatus, body);
  else github.api.patch(`${REPO_PATH}/check-runs/${existingCheckRunId}`).reply(checkRunStatus, body);
}

async function storedJobRecord(id: string, payload: unknown, eventName: 'INSERT' | 'MODIFY' = 'INSERT') {
  await store.putJob({ id, event: 'registry_package', payload, receivedAt: NOW.toISOString() });
  return streamRecordOf(table, store.tableName, jobKey(id), eventName);
}

async function worker() {
  const created = await createWorker({ appId: 1, privateKey, store, now: () => NOW, log, octokitDefaults: { retry: { enabled: false } } });
  return createWorkerHandler({ runJob: created.runJob, store, log, now: () => NOW });
}

describe('functions/worker.ts', () => {
  it('runs the stored job of a stream INSERT through the app against GitHub', async () => {
    mockPublishFlow(77, 201);
    const record = await storedJobRecord('d-1', publishPayload(77));
    const handle = await worker();

    const result = await handle({ Records: [record] });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(github.requests('POST', `${REPO_PATH}/check-runs`)[0]?.body).toMatchObject({ head_sha: REVISION, conclusion: 'failure' });
    expect((await store.getPublish('ghcr.io/codertocat/hello-world', 'sha256:6c62fb45fe66bfb1ea9a66abc38f6a0cc974292b'))?.state).toBe('unscanned');
    assertGitHubDone();
  });

  it('skips records that are not a newly stored job', async () => {
    await store.putDelivery('d-2', NOW);
    const delivery = await streamRecordOf(table, store.tableName, keys.delivery('d-2'));
    const modified = await storedJobRecord('d-3', publishPayload(78), 'MODIFY');
    const handle = await worker();

    const result = await handle({ Records: [delivery, modified] });

    expect(result).toEqual({ batchItemFailures: [] });
    expect(jobOfRecord(delivery)).toBeUndefined();
    expect(jobOfRecord(modified)).toBeUndefined();
    expect(github.log).toEqual([]);
  });

  it('reports the first failed record and leaves the records after it for the retry', async () => {
    mockPublishFlow(81, 201);
    // Installation 82 cannot get a token: the job fails, and so does its final guard's check write.
    github.api.post('/app/installations/82/access_tokens').reply(500, { message: 'Server Error' }).persist();
    const ok = await storedJobRecord('d-4', publishPayload(81));
    const failing = await storedJobRecord('d-5', publishPayload(82));
    const after = await storedJobRecord('d-6', publishPayload(83));
    const handle = await worker();

    const result = await handle({ Records: [ok, failing, after] });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: failing.dynamodb?.SequenceNumber }] });
    expect(github.requests('POST', '/app/installations/83/access_tokens')).toEqual([]);
    // The finished job's attempt is cleared; the failed one's stays for the dead-letter drain.
    const attempts = await store.listAttempts(TEST_STREAM_ARN, ok.dynamodb!.SequenceNumber!, after.dynamodb!.SequenceNumber!);
    expect(attempts.map((attempt) => attempt.jobId)).toEqual(['d-5']);
    assertGitHubDone();
  });

  it('hands a record back to the stream, unstarted but recorded, when less than twice the check-write reserve is left', async () => {
    const record = await storedJobRecord('d-10', publishPayload(84));
    const created = await createWorker({ appId: 1, privateKey, store, now: () => NOW, log });
    const handle = createWorkerHandler({ runJob: created.runJob, store, log, now: () => NOW, checkWriteReserveMs: 10_000 });

    const result = await handle({ Records: [record] }, { getRemainingTimeInMillis: () => 19_000 });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }] });
    expect(github.log).toEqual([]);
    expect((await store.listAttempts(TEST_STREAM_ARN, '0', record.dynamodb!.SequenceNumber!)).map((attempt) => attempt.jobId)).toEqual(['d-10']);
  });

  it('reports a record whose job cannot be read as failed', async () => {
    const record = await storedJobRecord('d-9', publishPayload(79));
    const image = record.dynamodb?.NewImage ?? {};
    const corrupt = { ...record, dynamodb: { ...record.dynamodb, NewImage: { ...image, body: { B: Buffer.from('not gzip').toString('base64') } } } };
    const handle = await worker();

    const result = await handle({ Records: [corrupt] });

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }] });
    assertGitHubDone();
  });

  describe('handler (cold start from the environment)', () => {
    let ssm: FakeSsm;
    beforeAll(async () => {
      ssm = await startFakeSsm([
        { Name: '/ia/app-id', Value: '1' },
        { Name: '/ia/private-key', Value: privateKey },
        { Name: '/ia/webhook-secret', Value: TEST_WEBHOOK_SECRET },
      ]);
    });
    afterAll(async () => {
      vi.unstubAllEnvs();
      await ssm.close();
    });

    it('reads the App secrets from SSM once and runs each job', async () => {
      stubColdStartEnv({ tableName: store.tableName, dynamoEndpoint: table.endpoint, ssm, parameterPrefix: '/ia' });
      vi.stubEnv('LOG_LEVEL', 'fatal');
      mockPublishFlow(91, 201);
      // The same commit: its check run (991) is updated, not created again.
      mockPublishFlow(92, 200, 991);
      const first = await storedJobRecord('d-7', publishPayload(91));
      const second = await storedJobRecord('d-8', publishPayload(92));

      const results = [await handler({ Records: [first] }), await handler({ Records: [second] })];

      expect(results).toEqual([{ batchItemFailures: [] }, { batchItemFailures: [] }]);
      expect(ssm.calls).toBe(1);
      assertGitHubDone();
    });
  });
});
