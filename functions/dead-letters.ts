import { readLambdaConfig } from '../src/env.ts';
import type { Worker } from '../src/worker/worker.ts';
import type { Store } from '../src/store/store.ts';
import type { LambdaContext, SqsBatchResponse, SqsEvent, StreamFailureRecord } from './lib/aws-events.ts';
import { createStoreFromEnvironment, createWorkerFromEnvironment } from './lib/github-worker.ts';

/**
 * The dead-letter queue's drain. The worker's event source mapping sends a batch it gave up on
 * (retries exhausted, record too old) to the queue as a description of the batch: the stream, the
 * shard and a sequence range, never the records. The worker stored an attempt for each job it
 * started (functions/worker.ts), so the range names the jobs; each ends as a completed failing
 * "did not finish" check on its commit, written by the worker's own code, so nothing stays pending
 * or keeps an old green. A message that cannot be read, or whose check cannot be written, stays in
 * the queue (the queue-depth alarm keeps firing) and is tried again.
 */

export interface DeadLettersDeps {
  store: Pick<Store, 'listAttempts' | 'getJob' | 'clearAttempt'>;
  worker: Pick<Worker, 'reportUnfinished'>;
  log: { info(fields: Record<string, unknown>, message: string): void; error(fields: Record<string, unknown>, message: string): void };
}

export function createDeadLettersHandler(deps: DeadLettersDeps): (event: SqsEvent) => Promise<SqsBatchResponse> {
  return async function drainDeadLetters(event) {
    const batchItemFailures: SqsBatchResponse['batchItemFailures'] = [];
    for (const message of event.Records) {
      try {
        await drainMessage(deps, message.messageId, readStreamFailure(message.body));
      } catch (error) {
        deps.log.error({ err: error, messageId: message.messageId }, 'dead-lettered batch not drained; it stays in the queue');
        batchItemFailures.push({ itemIdentifier: message.messageId });
      }
    }
    return { batchItemFailures };
  };
}

async function drainMessage(deps: DeadLettersDeps, messageId: string, failure: StreamFailureRecord): Promise<void> {
  const batch = failure.DDBStreamBatchInfo;
  const reason = reasonOf(failure);
  const attempts = await deps.store.listAttempts(batch.streamArn, batch.startSequenceNumber, batch.endSequenceNumber);
  if (attempts.length === 0) {
    // Its records could not be read as jobs, or recording their attempt failed: nothing names a commit.
    deps.log.error({ messageId, ...batch }, 'dead-lettered batch names no job the worker recorded: no check can be marked');
    return;
  }
  for (const attempt of attempts) {
    const job = await deps.store.getJob(attempt.jobId);
    if (job === undefined) {
      deps.log.error({ messageId, deliveryId: attempt.jobId }, 'dead-lettered job is no longer stored (past its TTL): no check to mark');
    } else {
      await deps.worker.reportUnfinished(job, reason);
      deps.log.info({ messageId, deliveryId: job.id, event: job.event }, 'dead-lettered job marked as did not finish');
    }
    await deps.store.clearAttempt(attempt.streamArn, attempt.sequenceNumber);
  }
}

/** Why the mapping gave up, in the words of the check. */
function reasonOf(failure: StreamFailureRecord): string {
  const tries = failure.requestContext?.approximateInvokeCount;
  switch (failure.requestContext?.condition) {
    case 'RecordAgeExceeded':
      return 'it waited too long in the queue (the worker kept failing or was busy)';
    case 'RetryAttemptsExhausted':
      return `the worker failed it ${tries === undefined ? 'every time' : `${tries} times`} (out of time or memory, or an error)`;
    default:
      return `the worker gave up on it (${failure.requestContext?.condition ?? 'no reason given'})`;
  }
}

/** The on-failure record in an SQS message body; anything else throws, naming what is wrong. */
export function readStreamFailure(body: string): StreamFailureRecord {
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch (error) {
    throw new Error('dead-letter message body is not JSON', { cause: error });
  }
  const info = (parsed as { DDBStreamBatchInfo?: Record<string, unknown> } | null)?.DDBStreamBatchInfo;
  const isSequence = (value: unknown): value is string => typeof value === 'string' && /^[0-9]{1,40}$/.test(value);
  if (typeof info?.['streamArn'] !== 'string' || !isSequence(info['startSequenceNumber']) || !isSequence(info['endSequenceNumber'])) {
    throw new Error('dead-letter message is not a DynamoDB stream on-failure record (DDBStreamBatchInfo with streamArn, startSequenceNumber, endSequenceNumber)');
  }
  return parsed as StreamFailureRecord;
}

let coldStart: Promise<(event: SqsEvent) => Promise<SqsBatchResponse>> | undefined;

/** Built once per cold start: the store and the worker's GitHub code, with the App's key from SSM. */
async function createFromEnvironment(): Promise<(event: SqsEvent) => Promise<SqsBatchResponse>> {
  const config = readLambdaConfig(process.env);
  const store = createStoreFromEnvironment(config);
  const worker = await createWorkerFromEnvironment(config, store);
  return createDeadLettersHandler({ store, worker, log: worker.probot.log });
}

export async function handler(event: SqsEvent, _context?: LambdaContext): Promise<SqsBatchResponse> {
  coldStart ??= createFromEnvironment().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
}
