/**
 * The parts of the Lambda events and results the handlers use (no @types/aws-lambda dependency).
 * Shapes: https://docs.aws.amazon.com/lambda/latest/dg/services-apigateway.html (HTTP API, payload
 * format 2.0) and https://docs.aws.amazon.com/lambda/latest/dg/with-ddb.html.
 */

export interface HttpApiEvent {
  version?: string;
  routeKey?: string;
  rawPath?: string;
  headers?: Record<string, string | undefined>;
  body?: string;
  isBase64Encoded?: boolean;
  requestContext?: { http?: { method?: string; path?: string } };
}

export interface HttpApiResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

/** A DynamoDB attribute as a stream record carries it (Binary is base64 text there). */
export type StreamAttributeValue =
  | { S: string }
  | { N: string }
  | { B: string }
  | { BOOL: boolean }
  | { NULL: true }
  | { M: Record<string, StreamAttributeValue> }
  | { L: StreamAttributeValue[] }
  | { SS: string[] }
  | { NS: string[] }
  | { BS: string[] };

export interface DynamoDBStreamRecord {
  eventID?: string;
  /** The table stream's ARN. */
  eventSourceARN?: string;
  eventName?: 'INSERT' | 'MODIFY' | 'REMOVE';
  eventSource?: string;
  dynamodb?: {
    Keys?: Record<string, StreamAttributeValue>;
    NewImage?: Record<string, StreamAttributeValue>;
    SequenceNumber?: string;
    StreamViewType?: string;
  };
}

export interface DynamoDBStreamEvent {
  Records: DynamoDBStreamRecord[];
}

/** With `functionResponseType: ReportBatchItemFailures`: the records to retry, by sequence number. */
export interface StreamBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/** The part of the Lambda context the handlers use. */
export interface LambdaContext {
  getRemainingTimeInMillis(): number;
  awsRequestId?: string;
}

/** An SQS event (https://docs.aws.amazon.com/lambda/latest/dg/with-sqs.html). */
export interface SqsEvent {
  Records: { messageId: string; body: string; eventSourceARN?: string; attributes?: Record<string, string> }[];
}

/** With `functionResponseType: ReportBatchItemFailures`: the messages to keep, by message ID. */
export interface SqsBatchResponse {
  batchItemFailures: { itemIdentifier: string }[];
}

/**
 * What a DynamoDB stream event source mapping sends its on-failure destination (SQS) for a batch
 * it gave up on: a description of the batch, never its records.
 * https://docs.aws.amazon.com/lambda/latest/dg/services-dynamodb-errors.html (invocation record)
 */
export interface StreamFailureRecord {
  requestContext?: { requestId?: string; functionArn?: string; condition?: string; approximateInvokeCount?: number };
  responseContext?: { statusCode?: number; executedVersion?: string; functionError?: string };
  version?: string;
  timestamp?: string;
  DDBStreamBatchInfo: {
    shardId: string;
    startSequenceNumber: string;
    endSequenceNumber: string;
    approximateArrivalOfFirstRecord?: string;
    approximateArrivalOfLastRecord?: string;
    batchSize: number;
    streamArn: string;
  };
}
