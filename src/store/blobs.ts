import { mkdir, readFile, rename, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { OperationError } from '../errors.ts';

/**
 * Where stored bodies too large for a DynamoDB item go (issue 11: a judged image's facts). One
 * small interface, three places: S3 in Lambda (s3-blobs.ts), a folder under DATA_DIR for
 * `npm start`, memory for tests. Keys are `/`-separated paths of safe characters (see blobKey).
 */
export interface BlobStore {
  put(key: string, body: Uint8Array): Promise<void>;
  /** `undefined` when nothing is stored under the key (never stored, or expired). */
  get(key: string): Promise<Uint8Array | undefined>;
}

/** A key from path parts: each part lower-cased, anything but `[a-z0-9._-]` replaced by `_`. */
export function blobKey(...parts: string[]): string {
  return parts.map((part) => part.toLowerCase().replace(/[^a-z0-9._-]/g, '_').replace(/^\.+/, '_')).join('/');
}

/** `npm start`: files under `folder` (created on first write). Written whole through a rename, so a reader never sees half a file. */
export function createDirectoryBlobStore(folder: string): BlobStore {
  const root = resolve(folder);
  const pathOf = (key: string): string => {
    const path = resolve(join(root, key));
    if (!path.startsWith(root + sep)) throw new OperationError(`blob key ${key} leaves ${root}`);
    return path;
  };
  return {
    async put(key, body) {
      const path = pathOf(key);
      try {
        await mkdir(dirname(path), { recursive: true });
        await writeFile(`${path}.tmp`, body);
        await rename(`${path}.tmp`, path);
      } catch (error) {
        throw new OperationError(`could not write ${path}`, { cause: error });
      }
    },
    async get(key) {
      const path = pathOf(key);
      try {
        const bytes = await readFile(path);
        return new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
        throw new OperationError(`could not read ${path}`, { cause: error });
      }
    },
  };
}

/** Tests and the CLI: a map, copied in and out. */
export function createMemoryBlobStore(): BlobStore & { readonly keys: () => string[] } {
  const blobs = new Map<string, Uint8Array>();
  return {
    async put(key, body) {
      blobs.set(key, body.slice());
    },
    async get(key) {
      return blobs.get(key)?.slice();
    },
    keys: () => [...blobs.keys()],
  };
}
