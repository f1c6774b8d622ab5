import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

/**
 * The one DynamoDB table and its key design. Single-table, string keys `pk` + `sk`, designed for
 * conditional writes only (dynalite has no transactions, and none are needed).
 *
 * | item          | pk                              | sk          | ttl      | notes                                   |
 * |---------------|---------------------------------|-------------|----------|-----------------------------------------|
 * | delivery      | `DELIVERY#<delivery id>`        | `DELIVERY`  | 7 days   | put if `attribute_not_exists(pk)`        |
 * | job           | `JOB#<delivery id>`             | `JOB`       | 7 days   | payload gzipped; the stream runs it      |
 * | check state   | `CHECK#<owner/name>#<sha>`      | `CHECK`     | 90 days  | `version` number, put conditional on it  |
 * | verdict       | `VERDICT#<owner/name>#<digest>` | `COMMIT#<sha>#REF#<policy branch>` | none | record gzipped; for gates/publishes |
 * | publish       | `PUBLISH#<registry/repository>` | `TAG#<tag>` | none     | tag → digest; put if not older (`versionUpdatedMs`) |
 * | history       | `HISTORY#<owner/name>`          | `COMMIT#<sha>` | 90 days | each policy's outcome for the commit; Query by `pk` |
 * | default digest| `DEFAULT#<owner/name>#<image>`  | `COMMIT#<sha>`, `LATEST` | 90 days | digest a default-branch commit built; LATEST put if not older |
 * | facts         | `FACTS#<owner/name>#<digest>`   | `FACTS`     | 90 days  | the judged bundle, gzipped; for policy previews |
 * | job attempt   | `ATTEMPT#<stream arn>`          | `SEQ#<sequence, 40 digits>` | 2 days | a started job; deleted when it ends    |
 *
 * Verdicts are keyed by repository (lower case), digest, commit and the branch whose policy judged
 * them: one repository can never overwrite another's verdict, and a publish asks for exactly the
 * verdict of its own repository and commit (a Query on the `pk` lists a digest's commits).
 *
 * The table's stream (NEW_IMAGE) feeds the worker. Its event source mapping filters on
 * `eventName = INSERT` and a `pk` starting with `JOB#`, so only a newly stored job invokes the
 * worker: deliveries, check states and verdicts never do, and rewriting a job (a MODIFY) never
 * runs it twice. `ttl` is epoch seconds; the table's TimeToLiveSpecification names it.
 */

export const KEY_PREFIX = {
  delivery: 'DELIVERY#',
  job: 'JOB#',
  check: 'CHECK#',
  verdict: 'VERDICT#',
  publish: 'PUBLISH#',
  history: 'HISTORY#',
  facts: 'FACTS#',
  defaultBranch: 'DEFAULT#',
  attempt: 'ATTEMPT#',
} as const;

export const TTL_ATTRIBUTE = 'ttl';
export const DELIVERY_TTL_SECONDS = 7 * 24 * 60 * 60;
export const JOB_TTL_SECONDS = 7 * 24 * 60 * 60;
export const CHECK_STATE_TTL_SECONDS = 90 * 24 * 60 * 60;
export const POLICY_HISTORY_TTL_SECONDS = 90 * 24 * 60 * 60;
export const FACTS_TTL_SECONDS = 90 * 24 * 60 * 60;
/** Past the stream's 24-hour retention, a dead-lettered record can no longer name an attempt. */
export const ATTEMPT_TTL_SECONDS = 2 * 24 * 60 * 60;

/** https://docs.aws.amazon.com/amazondynamodb/latest/APIReference/API_streams_StreamRecord.html (SequenceNumber: 21 to 40 digits) */
export const MAX_SEQUENCE_DIGITS = 40;

/** https://docs.aws.amazon.com/amazondynamodb/latest/developerguide/ServiceQuotas.html#limits-items */
export const DYNAMODB_MAX_ITEM_BYTES = 400 * 1024;
/** What a compressed body may take, leaving room for the item's other attributes. */
export const MAX_BODY_BYTES = 350 * 1024;

/** The stream filter of the worker's event source mapping (serverless.yml holds the same JSON). */
export const JOB_STREAM_FILTER = {
  eventName: ['INSERT'],
  dynamodb: { Keys: { pk: { S: [{ prefix: KEY_PREFIX.job }] } } },
} as const;

export const keys = {
  delivery: (id: string) => ({ pk: `${KEY_PREFIX.delivery}${id}`, sk: 'DELIVERY' }),
  job: (id: string) => ({ pk: `${KEY_PREFIX.job}${id}`, sk: 'JOB' }),
  check: (repository: string, sha: string) => ({ pk: `${KEY_PREFIX.check}${repository}#${sha}`, sk: 'CHECK' }),
  verdict: (key: { repository: string; digest: string; sha: string; policyRef: string }) => ({
    pk: `${KEY_PREFIX.verdict}${key.repository.toLowerCase()}#${key.digest}`,
    sk: `COMMIT#${key.sha}#REF#${key.policyRef}`,
  }),
  publish: (image: string, tag: string) => ({ pk: `${KEY_PREFIX.publish}${image}`, sk: `TAG#${tag}` }),
  defaultBranchDigest: (repository: string, image: string, sha: string) => ({ pk: `${KEY_PREFIX.defaultBranch}${repository.toLowerCase()}#${image}`, sk: `COMMIT#${sha}` }),
  latestDefaultBranchDigest: (repository: string, image: string) => ({ pk: `${KEY_PREFIX.defaultBranch}${repository.toLowerCase()}#${image}`, sk: 'LATEST' }),
  facts: (repository: string, digest: string) => ({ pk: `${KEY_PREFIX.facts}${repository.toLowerCase()}#${digest}`, sk: 'FACTS' }),
  history: (repository: string, sha: string) => ({ pk: `${KEY_PREFIX.history}${repository.toLowerCase()}`, sk: `COMMIT#${sha}` }),
  attempt: (streamArn: string, sequenceNumber: string) => ({ pk: `${KEY_PREFIX.attempt}${streamArn}`, sk: `SEQ#${paddedSequence(sequenceNumber)}` }),
};

/** A stream sequence number left-padded to 40 digits, so that text order is number order. */
export function paddedSequence(sequenceNumber: string): string {
  if (!/^[0-9]{1,40}$/.test(sequenceNumber)) throw new RangeError(`not a stream sequence number: "${sequenceNumber}"`);
  return sequenceNumber.padStart(MAX_SEQUENCE_DIGITS, '0');
}

/** The table as CreateTable input: used by `npm start` (dynalite) and the tests. */
export function createTableInput(tableName: string): CreateTableCommandInput {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: [
      { AttributeName: 'pk', AttributeType: 'S' },
      { AttributeName: 'sk', AttributeType: 'S' },
    ],
    KeySchema: [
      { AttributeName: 'pk', KeyType: 'HASH' },
      { AttributeName: 'sk', KeyType: 'RANGE' },
    ],
    StreamSpecification: { StreamEnabled: true, StreamViewType: 'NEW_IMAGE' },
  };
}
