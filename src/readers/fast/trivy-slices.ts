import { Buffer } from 'node:buffer';
import { InputError } from '../../errors.ts';
import type { Package, Report, Vulnerability } from '../../model/report.ts';
import { detectJsonFormat } from '../detect-format.ts';
import { isObject } from '../fields.ts';
import { type PrereadLists, readPackage, readTrivyJson, readVulnerability } from '../trivy/read.ts';
import { type ByteWindow, ShortRead } from './byte-window.ts';

/**
 * Speeds up reading a large Trivy JSON report, and keeps it from holding its whole text or parsed
 * document in memory. Trivy writes its JSON indented (Go's `json.MarshalIndent`); its bulk is the
 * `Vulnerabilities` and `Packages` arrays of each result. Those arrays are parsed here slice by
 * slice (about 32 KB of items at a time) and each item is normalized at once, so the parsed items
 * die young; the rest of the document (the skeleton, each array's content replaced by a marker) is
 * parsed whole and read by readers/trivy/read.ts as usual. The bytes come through a ByteWindow
 * (readers/fast/byte-window.ts): a report file is read in chunks and decoded piece by piece.
 * Bench (`npm run bench -- --evaluation-only`, generated 100k report): read+normalize / JSON.parse
 * 1.32× (1187.6 / 897.8 ms, load 0.2) → 1.08× (2785.7 / 2580.3 ms, load 9.5); the in-process peak
 * RSS 520.7 → 419 MB (the whole parsed document is never held).
 *
 * Why the result is exactly what `JSON.parse` of the whole text would give: a raw line break never
 * occurs inside a JSON string (nor inside a UTF-8 character), so a line break followed by spaces
 * and `"Vulnerabilities": [` is outside every string, and so is a line break followed by the
 * indentation and `},` or `]`. The text is cut only there. It is then the skeleton with each
 * marker replaced by an array's content, that content is the slices joined by the commas they were
 * cut at, every slice parses on its own as a non-empty list of values, the skeleton parses, and
 * every marker is found exactly once where the array was (`Results[r].Vulnerabilities` or
 * `Results[r].Packages`). Substituting a valid value list for a marker in a valid document changes
 * nothing else, so the items read are those of the whole document. Every piece is valid UTF-8, and
 * pieces meet at ASCII bytes, so the whole is. When any of this fails (another layout, minified
 * JSON, a bad item, bytes that are not UTF-8, a file that shrank while read), the answer is
 * `undefined` and the caller reads the report the ordinary way, which also words any error.
 */
export function readTrivyInSlices(file: string, bytes: ByteWindow): Report | undefined {
  try {
    return readSliced(file, bytes);
  } catch (error) {
    if (error instanceof SliceMismatch || error instanceof ShortRead || error instanceof InputError) return undefined;
    throw error;
  }
}

function readSliced(file: string, bytes: ByteWindow): Report | undefined {
  const bodyStart = startsWithBom(bytes) ? 3 : 0;
  const headEnd = Math.min(bytes.size, bodyStart + HEAD_BYTES);
  if (headEnd <= bodyStart) return undefined;
  bytes.hold(bodyStart, headEnd);
  const schemaVersion = bytes.indexOfHeld(SCHEMA_VERSION, bodyStart);
  if (schemaVersion < 0 || schemaVersion + SCHEMA_VERSION.length > headEnd) return undefined;
  const { skeleton, slices } = cutArrays(file, bytes, bodyStart);
  if (slices.length === 0) return undefined;

  let doc: unknown;
  try {
    doc = JSON.parse(skeleton);
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
  return readTrivyJson(file, doc, preread);
}

/** Where `"SchemaVersion"` must appear for a report to be tried: Trivy writes it first. */
const HEAD_BYTES = 4096;
const SCHEMA_VERSION = Buffer.from('"SchemaVersion"');
/** How many bytes a slice holds at least (a slice ends at the first item end after this). */
const SLICE_BYTES = 32 * 1024;
/** What stands for a sliced array in the skeleton: a string no scanner writes (it starts with NUL). */
const MARKER = '\u0000image-assurance:slice:';
/** An array value at the end of a line: `"Vulnerabilities": [` + line break. */
const ARRAY_OPEN = Buffer.from('": [\n');
const SLICED_KEYS = ['Vulnerabilities', 'Packages'] as const;
type SliceKind = (typeof SLICED_KEYS)[number];
const KEY_BYTES: Readonly<Record<SliceKind, Buffer>> = { Vulnerabilities: Buffer.from('"Vulnerabilities'), Packages: Buffer.from('"Packages') };

interface Slice {
  kind: SliceKind;
  items: Vulnerability[] | Package[];
  claimed: boolean;
}

/** The layout is not the one expected: read the report the ordinary way. */
class SliceMismatch extends Error {}

/** An item's path in messages: never shown, since any problem sends the report down the ordinary path. */
const UNSHOWN_PATH = 'Results[].(sliced)';

function startsWithBom(bytes: ByteWindow): boolean {
  return bytes.byteAt(0) === 0xef && bytes.byteAt(1, 0) === 0xbb && bytes.byteAt(2, 0) === 0xbf;
}

/**
 * Cuts the sliced arrays out of the report, reading their items as it goes; the skeleton is the
 * rest of the text with a marker for each array's content.
 */
function cutArrays(file: string, bytes: ByteWindow, bodyStart: number): { skeleton: string; slices: Slice[] } {
  const skeleton = new Skeleton(bytes, bodyStart);
  const slices: Slice[] = [];
  let position = bodyStart;
  for (;;) {
    const open = findArrayOpen(bytes, position, skeleton);
    if (open < 0) break;
    position = open + ARRAY_OPEN.length - 1;
    const kind = SLICED_KEYS.find((key) => bytes.heldStartsWith(KEY_BYTES[key], open - KEY_BYTES[key].length));
    if (kind === undefined) continue;
    const indent = indentationBefore(bytes, open - KEY_BYTES[kind].length);
    if (indent < 0) continue;
    // The array's content is [start, end): after its `[`, up to the line break before its `]`.
    const start = open + ARRAY_OPEN.length - 1;
    skeleton.takeTo(start);
    skeleton.add(JSON.stringify(`${MARKER}${slices.length}`));
    const items: Vulnerability[] | Package[] = [];
    const end = readItems(bytes, start, indent, (batch) => {
      if (kind === 'Vulnerabilities') for (const item of batch) readVulnerability(file, item, UNSHOWN_PATH, '', items as Vulnerability[]);
      else for (const item of batch) readPackage(file, item, UNSHOWN_PATH, '', items as Package[]);
    });
    slices.push({ kind, items, claimed: false });
    skeleton.skipTo(end);
    position = end;
  }
  skeleton.takeTo(bytes.size);
  return { skeleton: skeleton.text(), slices };
}

/** The skeleton's text, taken from the window as the cut moves on; from `from` on it is not taken yet, and the window holds it. */
class Skeleton {
  readonly #parts: string[] = [];

  constructor(
    private readonly bytes: ByteWindow,
    public from: number,
  ) {}

  /** Takes the text up to `to`. */
  takeTo(to: number): void {
    this.#parts.push(textOf(this.bytes, this.from, to));
    this.from = to;
  }

  /** Passes over a sliced array's content, up to `to`. */
  skipTo(to: number): void {
    this.from = to;
  }

  add(text: string): void {
    this.#parts.push(text);
  }

  text(): string {
    return this.#parts.join('');
  }
}

/**
 * The position of the next `": [` + line break at or after `from`, or -1. While it reads on, the
 * skeleton is taken up to the last line break passed (a key's line starts after that line break,
 * so what `indentationBefore` looks at stays held).
 */
function findArrayOpen(bytes: ByteWindow, from: number, skeleton: Skeleton): number {
  let searchFrom = from;
  for (;;) {
    const open = bytes.indexOfHeld(ARRAY_OPEN, searchFrom);
    if (open >= 0 || bytes.heldEnd >= bytes.size) return open;
    const lineBreak = bytes.lastLineBreakHeld(skeleton.from);
    if (lineBreak > skeleton.from) skeleton.takeTo(lineBreak);
    searchFrom = Math.max(searchFrom, bytes.heldEnd - ARRAY_OPEN.length + 1);
    bytes.hold(skeleton.from, bytes.heldEnd + 1);
  }
}

/** The number of spaces between the line break before `at` and `at`; -1 when anything else is there. */
function indentationBefore(bytes: ByteWindow, at: number): number {
  let i = at;
  while (bytes.byteAt(i - 1, i - 1) === 0x20) i -= 1;
  return bytes.byteAt(i - 1, i - 1) === 0x0a ? at - i : -1;
}

/**
 * Parses the items of the array whose content starts at `start` slice by slice, handing each
 * slice's items to `read`; returns where the content ends (the line break before the `]`).
 */
function readItems(bytes: ByteWindow, start: number, indent: number, read: (items: unknown[]) => void): number {
  const itemEnd = Buffer.from(`\n${' '.repeat(indent + 2)}}`);
  const arrayEnd = Buffer.from(`\n${' '.repeat(indent)}]`);
  let from = start;
  for (;;) {
    const close = bytes.indexOf(itemEnd, from + SLICE_BYTES, from);
    const comma = close + itemEnd.length;
    // An item end followed by a comma, past the slice size: the slice ends there, unless that comma
    // is already in another array (then the slice does not parse, and the array's end is looked for).
    const items = close >= 0 && bytes.byteAt(comma, from) === 0x2c ? parseSlice(bytes, from, comma) : undefined;
    if (items !== undefined) {
      read(items);
      from = comma + 1;
      continue;
    }
    const end = bytes.indexOf(arrayEnd, from);
    const last = end < 0 ? undefined : parseSlice(bytes, from, end);
    if (last === undefined) throw new SliceMismatch('the array does not end where its indentation says');
    read(last);
    return end;
  }
}

/** [from, to) as a list of values, or undefined when it is not one (or is empty). */
function parseSlice(bytes: ByteWindow, from: number, to: number): unknown[] | undefined {
  let items: unknown;
  try {
    items = JSON.parse(`[${textOf(bytes, from, to)}]`);
  } catch (error) {
    if (error instanceof SliceMismatch) throw error;
    return undefined;
  }
  return Array.isArray(items) && items.length > 0 ? items : undefined;
}

/** [from, to) as text; bytes that are not UTF-8 send the report down the ordinary path, which words the error. */
function textOf(bytes: ByteWindow, from: number, to: number): string {
  const text = bytes.text(from, to);
  if (text === undefined) throw new SliceMismatch('the bytes are not valid UTF-8');
  return text;
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
