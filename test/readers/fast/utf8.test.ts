import { isUtf8 } from 'node:buffer';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { decodeValidUtf8 } from '../../../src/readers/fast/utf8.ts';

const bytes = (...values: number[]): Uint8Array => new Uint8Array(values);

describe('src/readers/fast/utf8', () => {
  it.each([
    ['a stray continuation byte', bytes(0x41, 0x80, 0x42)],
    ['a lead byte without its continuation', bytes(0x41, 0xc3, 0x28)],
    ['a character cut at the end', bytes(0x41, 0xe2, 0x82)],
    ['an overlong slash', bytes(0xc0, 0xaf)],
    ['an overlong NUL in three bytes', bytes(0xe0, 0x80, 0x80)],
    ['a UTF-16 surrogate', bytes(0xed, 0xa0, 0x80)],
    ['a code point above U+10FFFF', bytes(0xf4, 0x90, 0x80, 0x80)],
    ['0xFF', bytes(0x7b, 0xff, 0x7d)],
  ])('refuses %s', (_name, content) => {
    expect(decodeValidUtf8(content, 0)).toBeUndefined();
  });

  it('keeps a U+FFFD the text really has, and skips the start it is given (a BOM)', () => {
    const content = new TextEncoder().encode('\uFEFF{"title": "broken \uFFFD char", "ok": "é€𝄞"}');

    expect(decodeValidUtf8(content, 3)).toBe('{"title": "broken \uFFFD char", "ok": "é€𝄞"}');
  });

  it('agrees with isUtf8 on arbitrary bytes, and decodes what is valid as TextDecoder does', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (content) => {
        const text = decodeValidUtf8(content, 0);
        expect(text !== undefined).toBe(isUtf8(content));
        if (text !== undefined) expect(text).toBe(new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(content));
      }),
      { numRuns: 5000 },
    );
  });
});
