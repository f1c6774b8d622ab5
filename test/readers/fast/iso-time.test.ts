import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { canonicalUtcTime } from '../../../src/readers/fast/iso-time.ts';

/** The general path of optionalTime: what the fast path must agree with whenever it answers. */
function viaDate(value: string): string | undefined {
  const time = Date.parse(value);
  return Number.isNaN(time) ? undefined : new Date(time).toISOString();
}

const pad = (n: number, width: number): string => String(n).padStart(width, '0');

describe('src/readers/fast/iso-time', () => {
  it.each([
    ['2021-12-10T10:15:09.143Z', '2021-12-10T10:15:09.143Z'],
    ['2019-10-21T17:15:00Z', '2019-10-21T17:15:00.000Z'],
    ['2019-10-21T17:15:00.1Z', '2019-10-21T17:15:00.100Z'],
    ['2019-10-21T17:15:00.12Z', '2019-10-21T17:15:00.120Z'],
    ['0000-01-01T00:00:00Z', '0000-01-01T00:00:00.000Z'],
  ])('reads %s as %s, as Date does', (value, expected) => {
    expect(canonicalUtcTime(value)).toBe(expected);
    expect(viaDate(value)).toBe(expected);
  });

  it.each([
    '2019-02-30T00:00:00Z', // Date rolls it over to March 2
    '2019-01-29T00:00:00Z', // days above 28 take the general path
    '2019-01-01T24:00:00Z', // Date reads it as the next day
    '2019-01-01T23:60:00Z',
    '2019-13-01T00:00:00Z',
    '2019-00-01T00:00:00Z',
    '2019-01-01T10:15:09.123456789Z',
    '2019-01-01T10:15:09+00:00',
    '2019-01-01',
    '2019-01-01T10:15:09.Z',
    '2019-01-01T10:15:09.1aZ',
    '２０１９-01-01T10:15:09Z',
    'x019-01-01T10:15:09Z',
  ])('leaves %s to the general path', (value) => {
    expect(canonicalUtcTime(value)).toBeUndefined();
  });

  it('agrees with Date.parse + toISOString wherever it answers, over times of that shape and near misses', () => {
    const field = (max: number, width: number) => fc.integer({ min: 0, max }).map((n) => pad(n, width));
    const time = fc
      .tuple(field(9999, 4), field(13, 2), field(32, 2), field(25, 2), field(61, 2), field(61, 2), fc.constantFrom('', '.1', '.12', '.123', '.1234', '.'), fc.constantFrom('Z', 'z', '+00:00'))
      .map(([y, mo, d, h, mi, s, fraction, zone]) => `${y}-${mo}-${d}T${h}:${mi}:${s}${fraction}${zone}`);
    let answered = 0;
    fc.assert(
      fc.property(time, (value) => {
        const fast = canonicalUtcTime(value);
        if (fast !== undefined) {
          answered += 1;
          expect(fast).toBe(viaDate(value));
        }
      }),
      { numRuns: 5000 },
    );
    expect(answered).toBeGreaterThan(500);
  });
});
