import type { AttributeValue } from '@aws-sdk/client-dynamodb';
import { pino } from 'pino';
import { readLambdaConfig } from '../src/env.ts';
import { createWorker } from '../src/job/run-job.ts';
import { createDynamoClient, DynamoStore, jobFromItem } from '../src/store/dynamo.ts';
import type { Job } from '../src/store/store.ts';
import { createS3BlobStore, createS3Client } from '../src/store/s3-blobs.ts';
import { KEY_PREFIX } from '../src/store/table.ts';
import type { DynamoDBStreamEvent, DynamoDBStreamRecord, StreamAttributeValue, StreamBatchResponse } from './lib/aws-events.ts';
import { getParameters } from './lib/secrets.ts';

/**
 * The table's stream (job INSERTs only, filtered by the event source mapping) → run each job.
 * Records run in order; at the first failure the handler stops and reports that record, so Lambda
 * retries from it (ReportBatchItemFailures) and never re-runs the jobs before it. After the
 * mapping's bounded retries the record goes to the dead-letter queue.
 */

export interface WorkerDeps {
  runJob(job: Job): Promise<void>;
  log: { error(fields: Record<string, unknown>, message: string): void };
}

export function createWorkerHandler(deps: WorkerDeps): (event: DynamoDBStreamEvent) => Promise<StreamBatchResponse> {
  return async function handleStream(event) {
    for (const record of event.Records) {
      let job: Job | undefined;
      try {
        job = jobOfRecord(record);
        if (job === undefined) continue;
        await deps.runJob(job);
      } catch (error) {
        // An unreadable record fails like a failed job: retried, then sent to the dead-letter queue.
        deps.log.error({ err: error, deliveryId: job?.id, event: job?.event, eventID: record.eventID }, 'job failed; the stream will retry it');
        return { batchItemFailures: [{ itemIdentifier: record.dynamodb?.SequenceNumber ?? record.eventID ?? '' }] };
      }
    }
    return { batchItemFailures: [] };
  };
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

let coldStart: Promise<(event: DynamoDBStreamEvent) => Promise<StreamBatchResponse>> | undefined;

/** Built once per cold start: config from the environment, the App's secrets from SSM, one worker. */
async function createFromEnvironment(): Promise<(event: DynamoDBStreamEvent) => Promise<StreamBatchResponse>> {
  const config = readLambdaConfig(process.env);
  const store = new DynamoStore({
    client: createDynamoClient({ region: config.region, ...(config.dynamodbEndpoint === undefined ? {} : { endpoint: config.dynamodbEndpoint }) }),
    tableName: config.tableName,
    ...(config.facts === undefined ? {} : { blobs: createS3BlobStore(createS3Client({ region: config.region, ...(config.facts.endpoint === undefined ? {} : { endpoint: config.facts.endpoint }) }), config.facts.bucket) }),
  });
  const { appId, privateKey, webhookSecret } = config.parameters;
  const values = await getParameters([appId, privateKey, webhookSecret], config.ssm);
  const worker = await createWorker({
    appId: values[appId] ?? '',
    privateKey: values[privateKey] ?? '',
    secret: values[webhookSecret] ?? '',
    ...(config.baseUrl === undefined ? {} : { baseUrl: config.baseUrl }),
    store,
    // JSON lines for CloudWatch, at LOG_LEVEL (Probot's own default is pretty-printed at warn).
    log: pino({ level: config.logLevel }),
  });
  return createWorkerHandler({ runJob: (job) => worker.runJob(job), log: worker.probot.log });
}

export async function handler(event: DynamoDBStreamEvent): Promise<StreamBatchResponse> {
  coldStart ??= createFromEnvironment().catch((error: unknown) => {
    coldStart = undefined;
    throw error;
  });
  return (await coldStart)(event);
}
