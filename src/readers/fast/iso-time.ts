/**
 * Speeds up `optionalTime` (readers/fields.ts) for the one shape scanners write almost always:
 * `YYYY-MM-DDTHH:MM:SS[.f{1,3}]Z`. `Date.parse` + `toISOString` cost about 1 µs per finding, the
 * largest single item of Trivy normalization (100,000 `PublishedDate`s).
 * Bench (generated 100k report, CPU profile of readReport under `npm run bench`'s inputs):
 * optionalTime 115 ms → 6 ms of self time per read (about 0.1× of JSON.parse no longer paid).
 *
 * Only values whose ISO form is certain are answered: a day above 28 (February 30 rolls over to
 * March in `Date.parse`), hour 24, another fraction length or any other shape returns `undefined`,
 * and the caller takes the general path. test/readers/iso-time.test.ts checks both paths agree.
 */
export function canonicalUtcTime(value: string): string | undefined {
  const length = value.length;
  // `2021-12-10T10:15:09Z` (20) or with `.1`, `.14`, `.143` before the Z (22 to 24).
  if (length !== 20 && (length < 22 || length > 24)) return undefined;
  if (value.charCodeAt(length - 1) !== 0x5a /* Z */) return undefined;
  if (value.charCodeAt(4) !== 0x2d || value.charCodeAt(7) !== 0x2d || value.charCodeAt(10) !== 0x54 || value.charCodeAt(13) !== 0x3a || value.charCodeAt(16) !== 0x3a) return undefined;
  if (!digits(value, 0, 4)) return undefined;
  const month = twoDigits(value, 5);
  const day = twoDigits(value, 8);
  const hour = twoDigits(value, 11);
  const minute = twoDigits(value, 14);
  const second = twoDigits(value, 17);
  if (month < 1 || month > 12 || day < 1 || day > 28 || hour < 0 || hour > 23 || minute < 0 || minute > 59 || second < 0 || second > 59) return undefined;
  if (length === 20) return `${value.slice(0, 19)}.000Z`;
  if (value.charCodeAt(19) !== 0x2e /* . */ || !digits(value, 20, length - 1)) return undefined;
  if (length === 24) return value;
  return `${value.slice(0, length - 1)}${length === 22 ? '00' : '0'}Z`;
}

function digits(value: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x30 || c > 0x39) return false;
  }
  return true;
}

/** Two decimal digits at `at`, or -1. */
function twoDigits(value: string, at: number): number {
  const tens = value.charCodeAt(at) - 0x30;
  const ones = value.charCodeAt(at + 1) - 0x30;
  if (tens < 0 || tens > 9 || ones < 0 || ones > 9) return -1;
  return tens * 10 + ones;
}
