import { Inflate } from 'fflate';

/**
 * Unzips a workflow artifact in memory with hard limits, so a zip bomb can never exhaust the
 * worker. Pure: bytes in, entries or a refusal out. The limits are checked twice: first against
 * the sizes the central directory declares (before anything is inflated), then while inflating,
 * because a crafted zip can declare small sizes and hold large streams.
 */

export interface UnzipLimits {
  maxEntries: number;
  maxEntryBytes: number;
  maxTotalBytes: number;
  /** Highest uncompressed/compressed ratio allowed for an entry larger than `ratioFloorBytes`. */
  maxCompressionRatio: number;
  /** Entries up to this size are exempt from the ratio check: tiny files compress very well. */
  ratioFloorBytes: number;
}

export const DEFAULT_UNZIP_LIMITS: UnzipLimits = {
  maxEntries: 1_000,
  maxEntryBytes: 100 * 1024 * 1024,
  maxTotalBytes: 256 * 1024 * 1024,
  maxCompressionRatio: 100,
  ratioFloorBytes: 1024 * 1024,
};

export interface ZipEntry {
  /** The path inside the zip, `/`-separated. */
  path: string;
  content: Uint8Array;
}

export type UnzipResult = { ok: true; entries: ZipEntry[] } | { ok: false; reason: string };

const EOCD_SIGNATURE = 0x06054b50;
const CENTRAL_SIGNATURE = 0x02014b50;
const LOCAL_SIGNATURE = 0x04034b50;
const EOCD_MIN_BYTES = 22;
const MAX_COMMENT_BYTES = 0xffff;
const STORED = 0;
const DEFLATED = 8;
const INFLATE_CHUNK_BYTES = 16 * 1024;
const MADE_ON_UNIX = 3;
const S_IFMT = 0o170000;
const S_IFLNK = 0o120000;

interface DeclaredEntry {
  path: string;
  method: number;
  flags: number;
  crc: number;
  compressedBytes: number;
  uncompressedBytes: number;
  localHeaderOffset: number;
  /** A Unix symbolic link (made on Unix, mode S_IFLNK): its content is a path, never a report. */
  isSymlink: boolean;
}

export function unzipBounded(zip: Uint8Array, limits: UnzipLimits = DEFAULT_UNZIP_LIMITS): UnzipResult {
  const declared = readCentralDirectory(zip);
  if (typeof declared === 'string') return { ok: false, reason: declared };
  const refusal = checkDeclaredSizes(declared, limits);
  if (refusal) return { ok: false, reason: refusal };

  const entries: ZipEntry[] = [];
  let totalBytes = 0;
  for (const entry of declared) {
    if (entry.path.endsWith('/')) continue;
    const content = extractEntry(zip, entry, limits.maxTotalBytes - totalBytes);
    if (typeof content === 'string') return { ok: false, reason: content };
    totalBytes += content.length;
    entries.push({ path: entry.path, content });
  }
  return { ok: true, entries };
}

function readCentralDirectory(zip: Uint8Array): DeclaredEntry[] | string {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const eocd = findEndOfCentralDirectory(view);
  if (eocd < 0) return 'not a zip file: no end of central directory record';
  const entryCount = view.getUint16(eocd + 10, true);
  const directoryBytes = view.getUint32(eocd + 12, true);
  const directoryOffset = view.getUint32(eocd + 16, true);
  if (entryCount === 0xffff || directoryOffset === 0xffffffff) return 'ZIP64 archives are not accepted';
  if (directoryOffset + directoryBytes > eocd) return 'the central directory lies outside the file';

  const entries: DeclaredEntry[] = [];
  let offset = directoryOffset;
  for (let i = 0; i < entryCount; i++) {
    if (offset + 46 > eocd || view.getUint32(offset, true) !== CENTRAL_SIGNATURE) return `central directory entry ${i + 1} is corrupt`;
    const nameBytes = view.getUint16(offset + 28, true);
    const extraBytes = view.getUint16(offset + 30, true);
    const commentBytes = view.getUint16(offset + 32, true);
    const entry: DeclaredEntry = {
      flags: view.getUint16(offset + 8, true),
      method: view.getUint16(offset + 10, true),
      crc: view.getUint32(offset + 16, true),
      compressedBytes: view.getUint32(offset + 20, true),
      uncompressedBytes: view.getUint32(offset + 24, true),
      localHeaderOffset: view.getUint32(offset + 42, true),
      isSymlink: view.getUint8(offset + 5) === MADE_ON_UNIX && ((view.getUint32(offset + 38, true) >>> 16) & S_IFMT) === S_IFLNK,
      path: new TextDecoder().decode(zip.subarray(offset + 46, offset + 46 + nameBytes)),
    };
    if (entry.compressedBytes === 0xffffffff || entry.uncompressedBytes === 0xffffffff || entry.localHeaderOffset === 0xffffffff) {
      return `${entry.path}: ZIP64 entries are not accepted`;
    }
    entries.push(entry);
    offset += 46 + nameBytes + extraBytes + commentBytes;
  }
  return entries;
}

function findEndOfCentralDirectory(view: DataView): number {
  const last = view.byteLength - EOCD_MIN_BYTES;
  const first = Math.max(0, last - MAX_COMMENT_BYTES);
  for (let offset = last; offset >= first; offset--) {
    if (view.getUint32(offset, true) === EOCD_SIGNATURE) return offset;
  }
  return -1;
}

function checkDeclaredSizes(entries: DeclaredEntry[], limits: UnzipLimits): string | undefined {
  if (entries.length > limits.maxEntries) return `${entries.length} entries, more than the ${limits.maxEntries} allowed`;
  let totalBytes = 0;
  const paths = new Set<string>();
  for (const entry of entries) {
    if (entry.path.includes('..') || entry.path.startsWith('/') || entry.path.includes('\\')) return `${entry.path}: unsafe entry path`;
    if (entry.isSymlink) return `${entry.path}: symbolic links are not accepted`;
    // Two entries with one name: which one a scanner meant is unknowable, so neither is trusted.
    if (paths.has(entry.path)) return `${entry.path}: the name appears twice in the zip`;
    paths.add(entry.path);
    if (entry.flags & 0x1) return `${entry.path}: encrypted entries are not accepted`;
    if (entry.method !== STORED && entry.method !== DEFLATED) return `${entry.path}: compression method ${entry.method} is not supported`;
    if (entry.uncompressedBytes > limits.maxEntryBytes) {
      return `${entry.path}: declares ${entry.uncompressedBytes} bytes, more than the ${limits.maxEntryBytes} allowed per entry`;
    }
    const refusal = checkRatio(entry.path, entry.uncompressedBytes, entry.compressedBytes, limits);
    if (refusal) return refusal;
    totalBytes += entry.uncompressedBytes;
  }
  if (totalBytes > limits.maxTotalBytes) return `declares ${totalBytes} bytes in total, more than the ${limits.maxTotalBytes} allowed`;
  return undefined;
}

function checkRatio(path: string, uncompressedBytes: number, compressedBytes: number, limits: UnzipLimits): string | undefined {
  if (uncompressedBytes <= limits.ratioFloorBytes) return undefined;
  const ratio = uncompressedBytes / Math.max(1, compressedBytes);
  if (ratio <= limits.maxCompressionRatio) return undefined;
  return `${path}: compression ratio ${Math.round(ratio)}:1 exceeds the ${limits.maxCompressionRatio}:1 allowed (zip bomb?)`;
}

function extractEntry(zip: Uint8Array, entry: DeclaredEntry, remainingTotalBytes: number): Uint8Array | string {
  const view = new DataView(zip.buffer, zip.byteOffset, zip.byteLength);
  const local = entry.localHeaderOffset;
  if (local + 30 > zip.length || view.getUint32(local, true) !== LOCAL_SIGNATURE) return `${entry.path}: local header is corrupt`;
  const start = local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
  const end = start + entry.compressedBytes;
  if (end > zip.length) return `${entry.path}: data runs past the end of the file`;
  const compressed = zip.subarray(start, end);

  const content = entry.method === STORED ? compressed.slice() : inflateBounded(compressed, entry, remainingTotalBytes);
  if (typeof content === 'string') return content;
  if (content.length !== entry.uncompressedBytes) {
    return `${entry.path}: inflated to ${content.length} bytes, not the ${entry.uncompressedBytes} declared`;
  }
  if (crc32(content) >>> 0 !== entry.crc >>> 0) return `${entry.path}: CRC-32 does not match`;
  return content;
}

/** Inflates in small steps and stops as soon as the output passes what the entry declared. */
function inflateBounded(compressed: Uint8Array, entry: DeclaredEntry, remainingTotalBytes: number): Uint8Array | string {
  const allowedBytes = Math.min(entry.uncompressedBytes, remainingTotalBytes);
  const chunks: Uint8Array[] = [];
  let producedBytes = 0;
  let isOverLimit = false;
  let isDone = false;
  const inflate = new Inflate((chunk, final) => {
    producedBytes += chunk.length;
    if (producedBytes > allowedBytes) isOverLimit = true;
    else chunks.push(chunk);
    if (final) isDone = true;
  });
  try {
    for (let offset = 0; offset < compressed.length && !isOverLimit && !isDone; offset += INFLATE_CHUNK_BYTES) {
      const end = Math.min(offset + INFLATE_CHUNK_BYTES, compressed.length);
      inflate.push(compressed.subarray(offset, end), end === compressed.length);
    }
  } catch (error) {
    return `${entry.path}: not a valid deflate stream (${error instanceof Error ? error.message : String(error)})`;
  }
  if (isOverLimit) return `${entry.path}: inflates past the ${allowedBytes} bytes declared or allowed (zip bomb?)`;
  if (!isDone && compressed.length > 0) return `${entry.path}: deflate stream is truncated`;
  return concat(chunks, producedBytes);
}

function concat(chunks: Uint8Array[], totalBytes: number): Uint8Array {
  const out = new Uint8Array(totalBytes);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.length;
  }
  return out;
}

const CRC_TABLE = (() => {
  const table = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    table[n] = c;
  }
  return table;
})();

/** CRC-32 as ZIP uses it (the typings of this Node line lack `zlib.crc32`). */
function crc32(data: Uint8Array): number {
  let crc = -1;
  for (let i = 0; i < data.length; i++) crc = CRC_TABLE[(crc ^ data[i]!) & 0xff]! ^ (crc >>> 8);
  return (crc ^ -1) >>> 0;
}
