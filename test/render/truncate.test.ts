import fc from 'fast-check';
import { describe, expect, it } from 'vitest';

import { fitUnits, truncateText, type Unit } from '../../src/render/truncate.ts';

const note = (leftOut: { violations: number; images: number }): string => `\n[${leftOut.violations} rows, ${leftOut.images} images left out]\n`;

describe('src/render/truncate', () => {
  it.each([
    ['short text', 'abc', 5, 'abc'],
    ['exact fit', 'abcde', 5, 'abcde'],
    ['cut', 'abcdef', 5, 'abcd…'],
    ['a surrogate pair at the cut', 'ab😀cd', 4, 'ab…'],
  ])('truncateText: %s', (_name, text, max, expected) => {
    expect(truncateText(text, max)).toBe(expected);
  });

  it('fits any list of units within the limit, closing open blocks, and counts what it left out', () => {
    const unitArbitrary = fc.record({ text: fc.string({ minLength: 1, maxLength: 80 }).map((text) => `${text}\n`), image: fc.integer({ min: 0, max: 3 }) });
    fc.assert(
      fc.property(fc.array(unitArbitrary, { maxLength: 200 }), fc.integer({ min: 200, max: 4_000 }), (rows, maxChars) => {
        const units: Unit[] = [
          { text: '<details>\n', opens: '</details>\n' },
          ...rows.map((row) => ({ ...row, counts: { violations: 1 } })),
          { text: '</details>\n', closes: true },
        ];

        const result = fitUnits(units, maxChars, note);

        expect(result.text.length).toBeLessThanOrEqual(maxChars);
        expect(result.text.split('<details>').length).toBe(result.text.split('</details>').length);
        if (result.leftOut !== undefined) {
          const shownRows = rows.length - result.leftOut.violations;
          expect(result.text.startsWith(['<details>\n', ...rows.slice(0, shownRows).map((row) => row.text)].join(''))).toBe(true);
          expect(result.text).toContain(`[${result.leftOut.violations} rows`);
        } else {
          expect(result.text).toBe(units.map((unit) => unit.text).join(''));
        }
      }),
    );
  });
});
