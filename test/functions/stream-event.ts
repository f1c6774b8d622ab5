import { GetItemCommand, type AttributeValue } from '@aws-sdk/client-dynamodb';
import type { DynamoDBStreamRecord, StreamAttributeValue } from '../../functions/lib/aws-events.ts';
import { keys } from '../../src/store/table.ts';
import type { TestTable } from '../helpers/dynalite.ts';

let sequence = 100_000_000_000_000_000_000n;

/** The table stream's ARN the test records come from. */
export const TEST_STREAM_ARN = 'arn:aws:dynamodb:us-east-1:123456789012:table/image-assurance-test/stream/2026-11-26T00:00:00.000';

/**
 * The stream record DynamoDB would emit for an item as stored now (dynalite has no streams):
 * read the item back and write it the way a stream carries it (Binary as base64 text).
 */
export async function streamRecordOf(
  table: TestTable,
  tableName: string,
  key: { pk: string; sk: string },
  eventName: 'INSERT' | 'MODIFY' = 'INSERT',
): Promise<DynamoDBStreamRecord> {
  const { Item } = await table.client.send(new GetItemCommand({ TableName: tableName, Key: { pk: { S: key.pk }, sk: { S: key.sk } } }));
  if (Item === undefined) throw new Error(`no item ${key.pk}`);
  sequence += 1n;
  return {
    eventID: `event-${sequence}`,
    eventName,
    eventSource: 'aws:dynamodb',
    eventSourceARN: TEST_STREAM_ARN,
    dynamodb: {
      Keys: { pk: { S: key.pk }, sk: { S: key.sk } },
      NewImage: toStreamImage(Item),
      SequenceNumber: String(sequence),
      StreamViewType: 'NEW_IMAGE',
    },
  };
}

export function jobKey(id: string): { pk: string; sk: string } {
  return keys.job(id);
}

function toStreamImage(item: Record<string, AttributeValue>): Record<string, StreamAttributeValue> {
  return Object.fromEntries(Object.entries(item).map(([name, value]) => [name, toStreamValue(value)]));
}

function toStreamValue(value: AttributeValue): StreamAttributeValue {
  if (value.B !== undefined) return { B: Buffer.from(value.B).toString('base64') };
  if (value.S !== undefined) return { S: value.S };
  if (value.N !== undefined) return { N: value.N };
  if (value.BOOL !== undefined) return { BOOL: value.BOOL };
  if (value.M !== undefined) return { M: toStreamImage(value.M) };
  if (value.L !== undefined) return { L: value.L.map(toStreamValue) };
  throw new Error(`attribute type not used by the store: ${Object.keys(value).join(',')}`);
}
