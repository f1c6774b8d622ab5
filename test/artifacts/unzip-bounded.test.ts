import { strToU8, zipSync } from 'fflate';
import { describe, expect, it } from 'vitest';
import { DEFAULT_UNZIP_LIMITS, unzipBounded } from '../../src/artifacts/unzip-bounded.ts';
import type { UnzipLimits } from '../../src/artifacts/unzip-bounded.ts';
import { buildArtifactZip, buildRawZip } from '../helpers/artifact-zip.ts';
import { readFixture } from '../helpers/fixtures.ts';

/** Text that compresses poorly, so the ratio check does not fire. */
function noisyText(bytes: number): Uint8Array {
  const out = new Uint8Array(bytes);
  let seed = 7;
  for (let i = 0; i < bytes; i++) {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    out[i] = 97 + (seed % 26);
  }
  return out;
}

/** Rewrites the uncompressed size of every entry in the central directory. */
function lieAboutSizes(zip: Uint8Array, declaredBytes: number): Uint8Array {
  const copy = zip.slice();
  const view = new DataView(copy.buffer);
  for (let offset = 0; offset + 46 <= copy.length; offset++) {
    if (view.getUint32(offset, true) === 0x02014b50) view.setUint32(offset + 24, declaredBytes, true);
  }
  return copy;
}

const small: UnzipLimits = { ...DEFAULT_UNZIP_LIMITS, maxEntries: 2, maxEntryBytes: 1000, maxTotalBytes: 1500 };

describe('src/artifacts/unzip-bounded', () => {
  it('unpacks a real report, folders kept, byte for byte', () => {
    const zip = buildArtifactZip({ 'api/trivy.json': { fixture: 'scans/trivy/alpine-39.json' }, 'api/notes.txt': 'hello' });

    const result = unzipBounded(zip);

    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.entries.map((entry) => entry.path).sort()).toEqual(['api/notes.txt', 'api/trivy.json']);
    const trivy = result.entries.find((entry) => entry.path === 'api/trivy.json')!;
    expect(trivy.content).toEqual(new Uint8Array(readFixture('scans/trivy/alpine-39.json')));
  });

  it('unpacks stored (uncompressed) entries', () => {
    const zip = zipSync({ 'a.json': strToU8('{"a":1}') }, { level: 0 });

    const result = unzipBounded(zip);

    expect(result).toEqual({ ok: true, entries: [{ path: 'a.json', content: strToU8('{"a":1}') }] });
  });

  it('keeps a regular file made on Unix (mode 0644), so only links are refused', () => {
    const result = unzipBounded(buildRawZip([{ path: 'trivy.json', content: '{}', unixMode: 0o100644 }]));

    expect(result).toEqual({ ok: true, entries: [{ path: 'trivy.json', content: strToU8('{}') }] });
  });

  it.each([
    ['a zip bomb by its declared ratio', () => zipSync({ 'bomb.json': new Uint8Array(8 * 1024 * 1024) }), DEFAULT_UNZIP_LIMITS, /compression ratio \d+:1 exceeds/],
    ['too many entries', () => zipSync({ a: strToU8('1'), b: strToU8('2'), c: strToU8('3') }), small, /3 entries, more than the 2 allowed/],
    ['an entry over the per-entry limit', () => zipSync({ a: noisyText(1001) }), small, /declares 1001 bytes, more than the 1000 allowed per entry/],
    ['a total over the limit', () => zipSync({ a: noisyText(900), b: noisyText(900) }), small, /declares 1800 bytes in total, more than the 1500 allowed/],
    ['a path that climbs out', () => zipSync({ '../evil.json': strToU8('{}') }), DEFAULT_UNZIP_LIMITS, /unsafe entry path/],
    ['an absolute path', () => buildRawZip([{ path: '/etc/trivy.json', content: '{}' }]), DEFAULT_UNZIP_LIMITS, /\/etc\/trivy\.json: unsafe entry path/],
    ['a Windows path', () => buildRawZip([{ path: 'a\\..\\b.json', content: '{}' }]), DEFAULT_UNZIP_LIMITS, /unsafe entry path/],
    ['a symbolic link', () => buildRawZip([{ path: 'trivy.json', content: '/etc/passwd', unixMode: 0o120777 }]), DEFAULT_UNZIP_LIMITS, /trivy\.json: symbolic links are not accepted/],
    [
      'a name that appears twice',
      () => buildRawZip([{ path: 'api/trivy.json', content: { fixture: 'scans/trivy/alpine-39.json' } }, { path: 'api/trivy.json', content: '{}' }]),
      DEFAULT_UNZIP_LIMITS,
      /api\/trivy\.json: the name appears twice in the zip/,
    ],
    ['bytes that are no zip', () => strToU8('this is not a zip file at all, not even close'), DEFAULT_UNZIP_LIMITS, /not a zip file/],
    ['a central directory that lies about sizes', () => lieAboutSizes(zipSync({ a: noisyText(200_000) }), 1000), DEFAULT_UNZIP_LIMITS, /inflates past the 1000 bytes/],
    ['a corrupted deflate stream', () => corruptData(zipSync({ a: noisyText(5000) })), DEFAULT_UNZIP_LIMITS, /a: (not a valid deflate stream|CRC-32 does not match|inflate|deflate stream is truncated)/],
  ])('refuses %s', (_name, build, limits, reason) => {
    const zip = build();

    const result = unzipBounded(zip, limits);

    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(result.reason).toMatch(reason);
  });
});

function corruptData(zip: Uint8Array): Uint8Array {
  const copy = zip.slice();
  for (let i = 40; i < 140; i++) copy[i] = copy[i]! ^ 0x5a;
  return copy;
}
