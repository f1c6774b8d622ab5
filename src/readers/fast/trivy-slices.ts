import { InputError } from '../../errors.ts';
import type { Package, Report, Vulnerability } from '../../model/report.ts';
import { detectJsonFormat } from '../detect-format.ts';
import { isObject } from '../fields.ts';
import { type PrereadLists, readPackage, readTrivyJson, readVulnerability } from '../trivy/read.ts';

/**
 * Speeds up reading a large Trivy JSON report, and keeps it from holding its whole parsed document
 * in memory. Trivy writes its JSON indented (Go's `json.MarshalIndent`); its bulk is the
 * `Vulnerabilities` and `Packages` arrays of each result. Those arrays are parsed here slice by
 * slice (about 32 KB of items at a time) and each item is normalized at once, so the parsed items
 * die young; the rest of the document (the skeleton, each array's content replaced by a marker) is parsed
 * whole and read by readers/trivy/read.ts as usual.
 * Bench (`npm run bench -- --evaluation-only`, generated 100k report): read+normalize / JSON.parse
 * 1.32× (1187.6 / 897.8 ms, load 0.2) → 1.08× (2785.7 / 2580.3 ms, load 9.5); the in-process peak
 * RSS 520.7 → 419 MB (the whole parsed document is never held).
 *
 * Why the result is exactly what `JSON.parse` of the whole text would give: a raw line break never
 * occurs inside a JSON string, so a line break followed by spaces and `"Vulnerabilities": [` is
 * outside every string, and so is a line break followed by the indentation and `},` or `]`. The
 * text is cut only there. It is then the skeleton with each marker replaced by an array's content,
 * that content is the slices joined by the commas they were cut at, every slice parses on its own
 * as a non-empty list of values, the skeleton parses, and every marker is found exactly once where
 * the array was (`Results[r].Vulnerabilities` or `Results[r].Packages`). Substituting a valid value
 * list for a marker in a valid document changes nothing else, so the items read are those of the
 * whole document. When any of this fails (another layout, minified JSON, a bad item), the answer is
 * `undefined` and the caller reads the report the ordinary way, which also words any error.
 */
export function readTrivyInSlices(file: string, text: string): Report | undefined {
  if (!text.slice(0, HEAD_CHARS).includes('"SchemaVersion"')) return undefined;
  let slices: Slice[];
  try {
    slices = sliceArrays(file, text);
  } catch (error) {
    if (error instanceof SliceMismatch || error instanceof InputError) return undefined;
    throw error;
  }
  if (slices.length === 0) return undefined;

  const parts: string[] = [];
  let from = 0;
  slices.forEach((slice, index) => {
    parts.push(text.slice(from, slice.start), JSON.stringify(`${MARKER}${index}`));
    from = slice.end;
  });
  parts.push(text.slice(from));
  let doc: unknown;
  try {
    doc = JSON.parse(parts.join(''));
  } catch {
    return undefined;
  }
  if (!isObject(doc) || detectJsonFormat(doc) !== 'trivy-json' || !claimMarkers(doc, slices)) return undefined;

  const byMarker = new Map(slices.map((slice, index) => [`${MARKER}${index}`, slice]));
  const lookUp = (kind: SliceKind) => (value: unknown) => {
    const marker = markerIn(value);
    const slice = marker === undefined ? undefined : byMarker.get(marker);
    return slice?.kind === kind ? slice.items : undefined;
  };
  const preread: PrereadLists = { vulnerabilities: lookUp('Vulnerabilities') as PrereadLists['vulnerabilities'], packages: lookUp('Packages') as PrereadLists['packages'] };
  try {
    return readTrivyJson(file, doc, preread);
  } catch (error) {
    if (error instanceof InputError) return undefined;
    throw error;
  }
}

/** Where `"SchemaVersion"` must appear for a text to be tried: Trivy writes it first. */
const HEAD_CHARS = 4096;
/** How much text a slice holds at least (a slice ends at the first item end after this). */
const SLICE_CHARS = 32 * 1024;
/** What stands for a sliced array in the skeleton: a string no scanner writes (it starts with NUL). */
const MARKER = '\u0000image-assurance:slice:';
/** An array value at the end of a line: `"Vulnerabilities": [` + line break. */
const ARRAY_OPEN = '": [\n';
const SLICED_KEYS = ['Vulnerabilities', 'Packages'] as const;
type SliceKind = (typeof SLICED_KEYS)[number];

interface Slice {
  kind: SliceKind;
  /** The array's content is text[start, end): after its `[`, up to the line break before its `]`. */
  start: number;
  end: number;
  items: Vulnerability[] | Package[];
  claimed: boolean;
}

/** The layout is not the one expected: read the report the ordinary way. */
class SliceMismatch extends Error {}

/** An item's path in messages: never shown, since any problem sends the report down the ordinary path. */
const UNSHOWN_PATH = 'Results[].(sliced)';

function sliceArrays(file: string, text: string): Slice[] {
  const slices: Slice[] = [];
  let position = 0;
  for (;;) {
    const open = text.indexOf(ARRAY_OPEN, position);
    if (open < 0) return slices;
    position = open + ARRAY_OPEN.length - 1;
    const kind = SLICED_KEYS.find((key) => text.startsWith(key, open - key.length) && text.charCodeAt(open - key.length - 1) === 0x22);
    if (kind === undefined) continue;
    const indent = indentationBefore(text, open - kind.length - 1);
    if (indent < 0) continue;
    const start = open + ARRAY_OPEN.length - 1;
    const items: Vulnerability[] | Package[] = [];
    const end = readItems(text, start, indent, (batch) => {
      if (kind === 'Vulnerabilities') for (const item of batch) readVulnerability(file, item, UNSHOWN_PATH, '', items as Vulnerability[]);
      else for (const item of batch) readPackage(file, item, UNSHOWN_PATH, '', items as Package[]);
    });
    slices.push({ kind, start, end, items, claimed: false });
    position = end;
  }
}

/** The number of spaces between the line break before `at` and `at`; -1 when anything else is there. */
function indentationBefore(text: string, at: number): number {
  let i = at;
  while (i > 0 && text.charCodeAt(i - 1) === 0x20) i -= 1;
  return i > 0 && text.charCodeAt(i - 1) === 0x0a ? at - i : -1;
}

/**
 * Parses the items of the array whose content starts at `start` slice by slice, handing each
 * slice's items to `read`; returns where the content ends (the line break before the `]`).
 */
function readItems(text: string, start: number, indent: number, read: (items: unknown[]) => void): number {
  const itemEnd = `\n${' '.repeat(indent + 2)}}`;
  const arrayEnd = `\n${' '.repeat(indent)}]`;
  let from = start;
  for (;;) {
    const close = text.indexOf(itemEnd, from + SLICE_CHARS);
    const comma = close + itemEnd.length;
    // An item end followed by a comma, past the slice size: the slice ends there, unless that comma
    // is already in another array (then the slice does not parse, and the array's end is looked for).
    const items = close >= 0 && text.charCodeAt(comma) === 0x2c ? parseSlice(text, from, comma) : undefined;
    if (items !== undefined) {
      read(items);
      from = comma + 1;
      continue;
    }
    const end = text.indexOf(arrayEnd, from);
    const last = end < 0 ? undefined : parseSlice(text, from, end);
    if (last === undefined) throw new SliceMismatch('the array does not end where its indentation says');
    read(last);
    return end;
  }
}

/** text[from, to) as a list of values, or undefined when it is not one (or is empty). */
function parseSlice(text: string, from: number, to: number): unknown[] | undefined {
  let items: unknown;
  try {
    items = JSON.parse(`[${text.slice(from, to)}]`);
  } catch {
    return undefined;
  }
  return Array.isArray(items) && items.length > 0 ? items : undefined;
}

/**
 * Every marker is found exactly once in the skeleton, as the `Vulnerabilities` or `Packages` of a
 * result, as the array it replaced was; no other value is a marker (the report might quote one).
 */
function claimMarkers(doc: Record<string, unknown>, slices: Slice[]): boolean {
  const results = doc['Results'];
  if (!Array.isArray(results)) return false;
  let claimed = 0;
  for (const result of results) {
    if (!isObject(result)) continue;
    for (const kind of SLICED_KEYS) {
      const value = markerIn(result[kind]);
      if (value === undefined) continue;
      const slice = slices.find((_candidate, index) => value === `${MARKER}${index}`);
      if (slice === undefined || slice.kind !== kind || slice.claimed) return false;
      slice.claimed = true;
      claimed += 1;
    }
  }
  return claimed === slices.length && countMarkers(doc) === slices.length;
}

/** The marker in the skeleton's `[marker]`, where the array's content was. */
function markerIn(value: unknown): string | undefined {
  if (!Array.isArray(value) || value.length !== 1) return undefined;
  const marker: unknown = value[0];
  return typeof marker === 'string' && marker.startsWith(MARKER) ? marker : undefined;
}

/** How many string values in the document start with the marker. */
function countMarkers(doc: unknown): number {
  let count = 0;
  const stack: unknown[] = [doc];
  while (stack.length > 0) {
    const value = stack.pop();
    if (typeof value === 'string') {
      if (value.startsWith(MARKER)) count += 1;
    } else if (Array.isArray(value)) {
      for (const item of value) stack.push(item);
    } else if (isObject(value)) {
      for (const key in value) stack.push(value[key]);
    }
  }
  return count;
}
