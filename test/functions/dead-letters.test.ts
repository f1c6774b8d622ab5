import { generateKeyPairSync } from 'node:crypto';
import { pino } from 'pino';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createDeadLettersHandler, handler, readStreamFailure } from '../../functions/dead-letters.ts';
import type { SqsEvent } from '../../functions/lib/aws-events.ts';
import { createWorkerHandler } from '../../functions/worker.ts';
import { createWorker } from '../../src/worker/worker.ts';
import type { DynamoStore } from '../../src/store/dynamo.ts';
import { checkState, contribution } from '../store/contract.ts';
import { mockPolicyFiles } from '../github/app-harness.ts';
import { startTestTable, type TestTable } from '../helpers/dynalite.ts';
import { readFixtureJson } from '../helpers/fixtures.ts';
import type { GitHubMock } from '../helpers/github-mock.ts';
import { type GitHubBesideLoopback, mockGitHubBesideLoopback } from './github-beside-loopback.ts';
import { type FakeSsm, startFakeSsm, stubColdStartEnv } from './cold-start.ts';
import { jobKey, streamRecordOf, TEST_STREAM_ARN } from './stream-event.ts';

/**
 * Issue 8 item 6 / issue 10: a dead-lettered job ends as a failing "did not finish" check. The
 * worker really fails the job (GitHub down) and leaves its attempt in dynalite; the dead-letter
 * message has the shape Lambda sends an SQS on-failure destination; the drain runs from a cold
 * start (SSM on loopback) and writes the check through nock.
 */

const NOW = new Date('2026-11-26T00:00:00Z');
const INSTALLATION_ID = 4242;
const SHA = '3484a3fb816e0859fd6e1cea078d76385ff50625';
const RUN_ID = 289782451;
const REPO_PATH = '/repos/octo-org/octo-repo';
const privateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
const log = pino({ level: 'silent' });

/** The invocation record of https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html, for our range. */
function onFailureRecord(start: string, end: string, condition = 'RetryAttemptsExhausted'): string {
  return JSON.stringify({
    requestContext: { requestId: '316aa6d0-8154-xmpl-9af7-85d5f4a6bc81', functionArn: 'arn:aws:lambda:us-east-1:123456789012:function:image-assurance-test-worker', condition, approximateInvokeCount: 4 },
    responseContext: { statusCode: 200, executedVersion: '$LATEST', functionError: 'Unhandled' },
    version: '1.0',
    timestamp: '2026-11-26T00:13:49.717Z',
    DDBStreamBatchInfo: {
      shardId: 'shardId-00000001573689847184-864758bb',
      startSequenceNumber: start,
      endSequenceNumber: end,
      approximateArrivalOfFirstRecord: '2026-11-26T00:13:19Z',
      approximateArrivalOfLastRecord: '2026-11-26T00:13:19Z',
      batchSize: 1,
      streamArn: TEST_STREAM_ARN,
    },
  });
}

function sqsEvent(...bodies: string[]): SqsEvent {
  return { Records: bodies.map((body, index) => ({ messageId: `message-${index + 1}`, body, eventSourceARN: 'arn:aws:sqs:us-east-1:123456789012:dead-letters' })) };
}

let table: TestTable;
let store: DynamoStore;
let github: GitHubMock;
let ssm: FakeSsm;
let mocked: GitHubBesideLoopback;
beforeAll(async () => {
  table = await startTestTable();
  ssm = await startFakeSsm([
    { Name: '/ia/app-id', Value: '1' },
    { Name: '/ia/private-key', Value: privateKey },
  ]);
});
afterAll(async () => {
  vi.unstubAllEnvs();
  await ssm.close();
  await table.stop();
});
beforeEach(async () => {
  mocked = mockGitHubBesideLoopback();
  github = mocked.github;
  store = await table.newStore();
});
afterEach(() => {
  mocked.restore();
});

/** A workflow_run job the worker started and failed: GitHub gave no installation token. Its attempt stays. */
async function failedWorkflowRunJob(id: string): Promise<string> {
  const payload = { ...readFixtureJson<Record<string, unknown>>('webhooks/workflow_run.completed.json'), installation: { id: INSTALLATION_ID } };
  await store.putJob({ id, event: 'workflow_run', payload, receivedAt: NOW.toISOString() });
  const record = await streamRecordOf(table, store.tableName, jobKey(id));
  // The job's token, then its final guard's: both fail, so the check cannot even say so.
  github.api.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).times(2).reply(500, { message: 'Server Error' });
  const worker = await createWorker({ appId: 1, privateKey, store, now: () => NOW, log, octokitDefaults: { retry: { enabled: false } } });
  const handle = createWorkerHandler({ runJob: worker.runJob, store, log, now: () => NOW });
  expect(await handle({ Records: [record] })).toEqual({ batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber }] });
  // The guard's further token requests found GitHub down too (unmatched): that was the arrangement.
  mocked.unmatched.length = 0;
  return record.dynamodb!.SequenceNumber!;
}

describe('functions/dead-letters.ts', () => {
  it('ends a dead-lettered workflow run as a failing "did not finish" check, replacing the green it had', async () => {
    // The commit's check was green from this run's earlier evaluation (a re-run's job now dies).
    const green = contribution(RUN_ID);
    expect(await store.putCheckState(checkState({ repository: 'octo-org/octo-repo', sha: SHA, installationId: INSTALLATION_ID, checkRunId: 555, conclusion: 'success', runs: { [String(RUN_ID)]: green } }), undefined)).toBe(true);
    const sequence = await failedWorkflowRunJob('delivery-dead-1');
    github.api.post(`/app/installations/${INSTALLATION_ID}/access_tokens`).reply(201, { token: 'ghs_drain', expires_at: '2099-01-01T00:00:00Z' });
    mockPolicyFiles(github, { ref: 'master' });
    github.api.patch(`${REPO_PATH}/check-runs/555`).reply(200, { id: 555, html_url: 'https://github.com/c/555' });
    stubColdStartEnv({ tableName: store.tableName, dynamoEndpoint: table.endpoint, ssm, parameterPrefix: '/ia' });
    vi.stubEnv('LOG_LEVEL', 'fatal');

    const result = await handler(sqsEvent(onFailureRecord(sequence, sequence)));

    expect(result).toEqual({ batchItemFailures: [] });
    mocked.assertDone();
    const [check] = github.requests('PATCH', `${REPO_PATH}/check-runs/555`);
    expect(check?.body).toMatchObject({ status: 'completed', conclusion: 'failure' });
    expect(JSON.stringify(check?.body)).toContain('The evaluation did not finish: the worker failed it 4 times');
    const state = await store.getCheckState('octo-org/octo-repo', SHA);
    expect(state?.value.conclusion).toBe('failure');
    expect(state?.value.runs[String(RUN_ID)]?.problems).toEqual([{ kind: 'internal', message: expect.stringContaining('did not finish') }]);
    expect(await store.listAttempts(TEST_STREAM_ARN, sequence, sequence)).toEqual([]);
  });

  it('marks nothing (and logs an error) for a dead-lettered range that names no recorded job', async () => {
    const drain = createDeadLettersHandler({ store, worker: { reportUnfinished: async () => expect.fail('no job to mark') }, log });

    const result = await drain(sqsEvent(onFailureRecord('100000000000000000000001', '100000000000000000000009', 'RecordAgeExceeded')));

    expect(result).toEqual({ batchItemFailures: [] });
    expect(github.log).toEqual([]);
  });

  it.each([
    { name: 'a body that is not JSON', body: 'not json' },
    { name: 'a record without DDBStreamBatchInfo', body: JSON.stringify({ requestContext: { condition: 'RetryAttemptsExhausted' } }) },
    { name: 'a sequence number that is no number', body: onFailureRecord('abc', '1') },
  ])('keeps $name in the queue (reported as a batch item failure) and marks nothing', async ({ body }) => {
    const drain = createDeadLettersHandler({ store, worker: { reportUnfinished: async () => expect.fail('nothing to mark') }, log });

    const result = await drain(sqsEvent(onFailureRecord('1', '1'), body));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-2' }] });
    expect(() => readStreamFailure(body)).toThrow(/dead-letter message/);
  });

  it('keeps the message when the check cannot be written, and the attempt with it', async () => {
    const sequence = await failedWorkflowRunJob('delivery-dead-2');
    const drain = createDeadLettersHandler({ store, worker: { reportUnfinished: async () => Promise.reject(new Error('GitHub is down')) }, log });

    const result = await drain(sqsEvent(onFailureRecord(sequence, sequence)));

    expect(result).toEqual({ batchItemFailures: [{ itemIdentifier: 'message-1' }] });
    expect((await store.listAttempts(TEST_STREAM_ARN, sequence, sequence)).map((attempt) => attempt.jobId)).toEqual(['delivery-dead-2']);
  });
});
