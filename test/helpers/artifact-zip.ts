import { strToU8, zipSync } from 'fflate';
import { readFixture } from './fixtures.ts';

/**
 * Builds a workflow artifact zip in memory. Values are fixture paths under ../shared/fixtures
 * (`{ fixture: 'scans/trivy/alpine-39.json' }`) or literal content.
 */
export type ArtifactFile = { fixture: string } | string | Uint8Array;

export function buildArtifactZip(files: Record<string, ArtifactFile>): Uint8Array {
  const entries: Record<string, Uint8Array> = {};
  for (const [path, file] of Object.entries(files)) entries[path] = contentOf(file);
  return zipSync(entries, { level: 6 });
}

function contentOf(file: ArtifactFile): Uint8Array {
  if (typeof file === 'string') return strToU8(file);
  if (file instanceof Uint8Array) return file;
  return new Uint8Array(readFixture(file.fixture));
}

/** One entry of a hand-made zip: any path (even `../x` or a repeated one), stored uncompressed. */
export interface RawZipEntry {
  path: string;
  content: ArtifactFile;
  /** Unix mode for the external attributes, e.g. 0o120777 for a symbolic link. */
  unixMode?: number;
}

/**
 * Builds a zip byte by byte (method 0, stored), for what fflate refuses to write: duplicate
 * names, traversal paths, symbolic links.
 */
export function buildRawZip(entries: RawZipEntry[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const entry of entries) {
    const name = strToU8(entry.path);
    const data = contentOf(entry.content);
    const crc = crc32(data);
    const local = new Uint8Array(30 + name.length + data.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    local.set(data, 30 + name.length);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, entry.unixMode === undefined ? 20 : (3 << 8) | 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(38, entry.unixMode === undefined ? 0 : (entry.unixMode << 16) >>> 0, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local);
    centrals.push(central);
    offset += local.length;
  }
  const directoryBytes = centrals.reduce((sum, central) => sum + central.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directoryBytes, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + directoryBytes + 22);
  let at = 0;
  for (const part of [...locals, ...centrals, end]) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

function crc32(data: Uint8Array): number {
  let crc = -1;
  for (const byte of data) {
    crc ^= byte;
    for (let k = 0; k < 8; k++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  }
  return (crc ^ -1) >>> 0;
}
