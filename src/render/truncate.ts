/**
 * Shared truncation helpers. GitHub limits are characters; we measure JavaScript string length
 * (UTF-16 code units), which is never less than the character count, so a bound on `.length` holds.
 */

/** Cuts a single value to `maxChars`, ending with `…` when it was cut. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  if (maxChars <= 1) return '…'.slice(0, Math.max(0, maxChars));
  let cut = text.slice(0, maxChars - 1);
  // Never leave half of a surrogate pair behind.
  const last = cut.charCodeAt(cut.length - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut = cut.slice(0, -1);
  return `${cut}…`;
}

/**
 * One piece of a rendered document that is kept whole or left out whole (a table row, a heading,
 * a paragraph). `counts` says what leaving it out leaves out; `opens`/`closes` track an HTML block
 * (`<details>`) so that a cut inside one still closes it.
 */
export interface Unit {
  text: string;
  counts?: { violations?: number; suppressed?: number };
  /** The index of the image this unit belongs to, when it belongs to one. */
  image?: number;
  /** Text that must follow if the document is cut after this unit (e.g. `</details>`). */
  opens?: string;
  closes?: boolean;
}

export interface LeftOut {
  violations: number;
  suppressed: number;
  /** Images with nothing shown at all. */
  images: number;
  /** Images shown in part. */
  partialImages: number;
}

export interface FitResult {
  text: string;
  leftOut?: LeftOut;
}

/**
 * Joins units into at most `maxChars` characters. When they do not all fit, it stops at a unit
 * boundary, closes any open block, and calls `note(leftOut)` for a line saying what was left out;
 * that line is always included (it is cut itself only if `maxChars` is absurdly small).
 */
export function fitUnits(units: readonly Unit[], maxChars: number, note: (leftOut: LeftOut) => string): FitResult {
  const total = units.reduce((sum, unit) => sum + unit.text.length, 0);
  if (total <= maxChars) return { text: units.map((unit) => unit.text).join('') };

  const leftOut: LeftOut = { violations: 0, suppressed: 0, images: 0, partialImages: 0 };
  // Room for the note: its longest plausible form (numbers up to 10 digits) plus closers.
  const worstNote = note({ violations: 9_999_999_999, suppressed: 9_999_999_999, images: 9_999_999_999, partialImages: 9_999_999_999 });
  const open: string[] = [];
  const closersLength = (): number => open.reduce((sum, closer) => sum + closer.length, 0);
  const budget = maxChars - worstNote.length;
  const parts: string[] = [];
  let used = 0;
  let index = 0;
  for (; index < units.length; index += 1) {
    const unit = units[index]!;
    const closerAfter = unit.opens === undefined ? closersLength() : closersLength() + unit.opens.length;
    const closerAfterClose = unit.closes === true ? closersLength() - (open.at(-1)?.length ?? 0) : closerAfter;
    if (used + unit.text.length + closerAfterClose > budget) break;
    parts.push(unit.text);
    used += unit.text.length;
    if (unit.opens !== undefined) open.push(unit.opens);
    if (unit.closes === true) open.pop();
  }
  const shownImages = new Set<number>();
  for (let i = 0; i < index; i += 1) {
    const image = units[i]!.image;
    if (image !== undefined) shownImages.add(image);
  }
  const cutImages = new Set<number>();
  for (let i = index; i < units.length; i += 1) {
    const unit = units[i]!;
    leftOut.violations += unit.counts?.violations ?? 0;
    leftOut.suppressed += unit.counts?.suppressed ?? 0;
    if (unit.image !== undefined) cutImages.add(unit.image);
  }
  for (const image of cutImages) {
    if (shownImages.has(image)) leftOut.partialImages += 1;
    else leftOut.images += 1;
  }
  const closers = open.reverse().join('');
  return { text: truncateText(parts.join('') + closers + note(leftOut), maxChars), leftOut };
}

/** `1 violation`, `2 violations`; numbers with thousands separators. */
export function plural(count: number, singular: string, pluralForm = `${singular}s`): string {
  return `${count.toLocaleString('en-US')} ${count === 1 ? singular : pluralForm}`;
}
