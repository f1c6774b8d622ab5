import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { readLambdaConfig } from '../src/env.ts';
import { CHECK_WRITE_RESERVE_MS, type RunJobOptions } from '../src/worker/worker.ts';
import { jobFromItem } from '../src/store/dynamo.ts';
import type { Job, Store } from '../src/store/store.ts';
import { KEY_PREFIX } from '../src/store/table.ts';
import type { DynamoDBStreamEvent, DynamoDBStreamRecord, LambdaContext, StreamAttributeValue, StreamBatchResponse } from './lib/aws-events.ts';
import { createStoreFromEnvironment, createWorkerFromEnvironment } from './lib/github-worker.ts';

/**
 * The table's stream (job INSERTs only, filtered by the event source mapping) → run each job.
 * Records run in order; at the first failure the handler stops and reports that record, so Lambda
 * retries from it (ReportBatchItemFailures) and never re-runs the jobs before it. After the
 * mapping's bounded retries the record goes to the dead-letter queue, whose drain
 * (functions/dead-letters.ts) ends the job as a failing "did not finish" check: before a job runs,
 * its stream position is stored as an attempt (cleared when it ends), which is how the drain finds
 * the jobs of a dead-lettered sequence range. Each job runs against the invocation's deadline
 * (context.getRemainingTimeInMillis); a record is not started with less than twice the reserve
 * left, but handed back for the retry.
 */

export interface WorkerDeps {
  runJob(job: Job, options: RunJobOptions): Promise<void>;
  store: Pick<Store, 'putAttempt' | 'clearAttempt'>;
  log: { info(fields: Record<string, unknown>, message: string): void; error(fields: Record<string, unknown>, message: string): void };
  now: () => Date;
  /** CHECK_WRITE_RESERVE_MS unless given. */
  checkWriteReserveMs?: number;
}

export function createWorkerHandler(deps: WorkerDeps): (event: DynamoDBStreamEvent, context?: LambdaContext) => Promise<StreamBatchResponse> {
  const reserveMs = deps.checkWriteReserveMs ?? CHECK_WRITE_RESERVE_MS;
  return async function handleStream(event, context) {
    const remainingMs = context === undefined ? undefined : () => context.getRemainingTimeInMillis();
    for (const record of event.Records) {
      const failed = { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }] };
      let job: Job | undefined;
      try {
        job = jobOfRecord(record);
        if (job === undefined) continue;
        // Recorded even when the job is handed back unstarted: if it is dead-lettered so, it still ends in a check.
        const position = streamPositionOf(record);
        if (position !== undefined) await deps.store.putAttempt({ ...position, jobId: job.id, startedAt: deps.now().toISOString() });
        if (remainingMs !== undefined && remainingMs() < 2 * reserveMs) {
          deps.log.info({ deliveryId: job.id, eventID: record.eventID, remainingMs: remainingMs() }, 'too little time left to start a job: handed back to the stream');
          return failed;
        }
        await deps.runJob(job, remainingMs === undefined ? {} : { remainingMs });
        if (position !== undefined) await deps.store.clearAttempt(position.streamArn, position.sequenceNumber);
      } catch (error) {
        // An unreadable record fails like a failed job: retried, then sent to the dead-letter queue.
        deps.log.error({ err: error, deliveryId: job?.id, event: job?.event, eventID: record.eventID }, 'job failed; the stream will retry it');
        return failed;
      }
    }
    return { batchItemFailures: [] };
  };
}

/** Where a record sits in the table's stream; undefined when the record does not say (not from Lambda). */
function streamPositionOf(record: DynamoDBStreamRecord): { streamArn: string; sequenceNumber: string } | undefined {
  const sequenceNumber = record.dynamodb?.SequenceNumber;
  if (record.eventSourceARN === undefined || sequenceNumber === undefined) return undefined;
  return { streamArn: record.eventSourceARN, sequenceNumber };
}

/** The job a stream record inserted, or undefined for any other record (the filter should keep those out). */
export function jobOfRecord(record: DynamoDBStreamRecord): Job | undefined {
  const image = record.dynamodb?.NewImage;
  if (record.eventName !== 'INSERT' || image === undefined) return undefined;
  const pk = image['pk'];
  if (pk === undefined || !('S' in pk) || !pk.S.startsWith(KEY_PREFIX.job)) return undefined;
  return jobFromItem(itemFromStreamImage(image));
}

/** A stream image (Binary as base64 text) → the SDK's item shape (Binary as bytes). */
export function itemFromStreamImage(image: Record<string, StreamAttributeValue>): Record<string, AttributeValue> {
  return Object.fromEntries(Object.entries(image).map(([name, value]) => [name, attributeFromStream(value)]));
}

function attributeFromStream(value: StreamAttributeValue): AttributeValue {
  if ('B' in value) return { B: bytesOfBase64(value.B) };
  if ('BS' in value) return { BS: value.BS.map(bytesOfBase64) };
  if ('M' in value) return { M: itemFromStreamImage(value.M) };
  if ('L' in value) return { L: value.L.map(attributeFromStream) };
  return value;
}

function bytesOfBase64(text: string): Uint8Array {
  const buffer = Buffer.from(text, 'base64');
  return new Uint8Array(buffer.buffer, buffer.byteOffset, buffer.byteLength);
}

let coldStart: Promise<(event: DynamoDBStreamEvent, context?: LambdaContext) => Promise<StreamBatchResponse>> | undefined;

/** Built once per cold start: config from the environment, the App's secrets from SSM, one worker. */
async function createFromEnvironment(): Promise<(event: DynamoDBStreamEvent, context?: LambdaContext) => Promise<StreamBatchResponse>> {
  const config = readLambdaConfig(process.env);
  const store = createStoreFromEnvironment(config);
  const worker = await createWorkerFromEnvironment(config, store);
  return createWorkerHandler({ runJob: (job, options) => worker.runJob(job, options), store, log: worker.probot.log, now: () => new Date() });
}

export async function handler(event: DynamoDBStreamEvent, context?: LambdaContext): Promise<StreamBatchResponse> {
  coldStart ??= createFromEnvironment().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event, context);
}
