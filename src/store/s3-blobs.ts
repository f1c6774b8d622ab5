import { GetObjectCommand, NoSuchKey, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { OperationError } from '../errors.ts';
import type { BlobStore } from './blobs.ts';

/**
 * The S3 client for the facts bucket: `endpoint` (path-style) for s3rver in tests, with s3rver's
 * fixed test credentials (it refuses any other key); else the region's endpoint and the role's credentials.
 */
export function createS3Client(options: { region: string; endpoint?: string }): S3Client {
  return new S3Client({
    region: options.region,
    ...(options.endpoint === undefined
      ? {}
      : { endpoint: options.endpoint, forcePathStyle: true, credentials: { accessKeyId: 'S3RVER', secretAccessKey: 'S3RVER' } }),
  });
}

/**
 * Lambda: objects in the bucket serverless.yml creates (encrypted, private, deleted after 90 days
 * by its lifecycle rule). The worker's role may only PutObject and GetObject in it.
 */
export function createS3BlobStore(client: S3Client, bucket: string): BlobStore {
  return {
    async put(key, body) {
      try {
        await client.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: body, ContentType: 'application/gzip' }));
      } catch (error) {
        throw new OperationError(`S3: could not write s3://${bucket}/${key}`, { cause: error });
      }
    },
    async get(key) {
      try {
        const result = await client.send(new GetObjectCommand({ Bucket: bucket, Key: key }));
        if (result.Body === undefined) return undefined;
        return await result.Body.transformToByteArray();
      } catch (error) {
        if (error instanceof NoSuchKey) return undefined;
        throw new OperationError(`S3: could not read s3://${bucket}/${key}`, { cause: error });
      }
    },
  };
}
