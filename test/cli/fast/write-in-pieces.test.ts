import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { PIECE_CHARS, writeFileInPieces, writeInPieces } from '../../../src/cli/fast/write-in-pieces.ts';

const pieces = (text: string): string[] => {
  const written: string[] = [];
  writeInPieces((piece) => written.push(piece), text);
  return written;
};

describe('src/cli/fast/write-in-pieces', () => {
  const dir = mkdtempSync(join(tmpdir(), 'ia-pieces-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('writes a short text in one piece', () => {
    expect(pieces('{"allowed": true}\n')).toEqual(['{"allowed": true}\n']);
  });

  it('writes a long text in pieces of at most PIECE_CHARS that join to the text', () => {
    const text = 'x'.repeat(2 * PIECE_CHARS + 5);

    const written = pieces(text);

    expect(written.map((piece) => piece.length)).toEqual([PIECE_CHARS, PIECE_CHARS, 5]);
    expect(written.join('')).toBe(text);
  });

  it('never cuts a surrogate pair: every piece is valid UTF-16 and encodes as the text does', () => {
    // 𝄞 (U+1D11E) is two UTF-16 units; placed so that a cut at PIECE_CHARS would fall between them.
    const text = `${'a'.repeat(PIECE_CHARS - 1)}𝄞${'b'.repeat(10)}`;

    const written = pieces(text);

    expect(written[0]).toHaveLength(PIECE_CHARS - 1);
    expect(written.every((piece) => !/^[\uDC00-\uDFFF]|[\uD800-\uDBFF]$/.test(piece))).toBe(true);
    expect(Buffer.concat(written.map((piece) => Buffer.from(piece))).equals(Buffer.from(text))).toBe(true);
  });

  it('writes a file in pieces, replacing what was there', () => {
    const path = join(dir, 'verdict.json');
    const text = `${'é'.repeat(PIECE_CHARS)}𝄞\n`;

    writeFileInPieces(path, 'old content that is longer than nothing');
    writeFileInPieces(path, text);

    expect(readFileSync(path, 'utf8')).toBe(text);
  });
});
