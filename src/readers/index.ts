import type { Buffer } from 'node:buffer';
import { InputError } from '../errors.ts';
import type { Report, ReportFormat } from '../model/report.ts';
import { isClamscanLog, readClamavLog } from './clamav/read.ts';
import { readCycloneDxXml } from './cyclonedx/read-xml.ts';
import { readCycloneDxJson } from './cyclonedx/read.ts';
import { detectJsonFormat, detectXmlFormat, firstSignificantChar } from './detect-format.ts';
import { readDockleJson } from './dockle/read.ts';
import { ByteWindow, type ReadBytes } from './fast/byte-window.ts';
import { readTrivyInSlices } from './fast/trivy-slices.ts';
import { decodeValidUtf8 } from './fast/utf8.ts';
import { isObject, type JsonObject } from './fields.ts';
import { readGrypeJson } from './grype/read.ts';
import { parseJsonText } from './json-text.ts';
import { readOpenScapXml } from './openscap/read.ts';
import { readSarif } from './sarif/read.ts';
import { readTrivyJson } from './trivy/read.ts';
import { parseXmlText, xmlRoot, type XmlNode } from './xml.ts';

/** Reports over this are refused before parsing: a 100,000-finding Trivy report is ~155 MB. */
export const MAX_REPORT_BYTES = 160 * 1024 * 1024;

const BINARY_SNIFF_BYTES = 1024;

export const NOT_RECOGNIZED =
  'not a recognized report: expected Trivy JSON, Grype JSON, SARIF 2.1.0, CycloneDX, Dockle JSON, OpenSCAP ARF/OVAL results or a clamscan log';

/** A report's content, parsed once by its syntax. */
export type ParsedReport =
  | { syntax: 'json'; doc: JsonObject }
  | { syntax: 'xml'; rootName: string; root: XmlNode; text: string }
  | { syntax: 'text'; text: string };

type Reader = (file: string, parsed: ParsedReport) => Report;

/** The registry: one line per format (as Renovate's api.ts). */
export const READERS: Readonly<Record<ReportFormat, Reader>> = {
  'trivy-json': json(readTrivyJson),
  'grype-json': json(readGrypeJson),
  sarif: json(readSarif),
  'cyclonedx-json': json(readCycloneDxJson),
  'cyclonedx-xml': xml(readCycloneDxXml),
  'dockle-json': json(readDockleJson),
  'oval-xml': xml((file, root, _text, rootName) => readOpenScapXml(file, { [rootName]: root })),
  'clamav-log': text(readClamavLog),
};

/**
 * Reads one report: detects the format from the content (not the name), parses it once and
 * normalizes it. Every problem is an InputError naming `path`. `Buffer` is accepted as such:
 * with @types/node 20 and TypeScript 6 a Buffer does not type-check as a Uint8Array.
 */
export function readReport(path: string, content: Uint8Array | Buffer): Report {
  const bytes = new Uint8Array(content.buffer, content.byteOffset, content.byteLength);
  if (bytes.byteLength > 0 && bytes.byteLength <= MAX_REPORT_BYTES) {
    const sliced = readTrivyInSlices(path, ByteWindow.of(bytes));
    if (sliced !== undefined) return sliced;
  }
  return readReportText(path, decodeReport(path, bytes));
}

/**
 * Reads a large Trivy JSON report in Trivy's own layout from `read` (as `fs.readSync` reads a
 * file), a chunk at a time: its bytes and its text are never in memory whole
 * (readers/fast/trivy-slices.ts). `undefined` for anything else, which the caller then reads
 * whole with `readReport`.
 */
export function readTrivyReportInChunks(path: string, size: number, read: ReadBytes): Report | undefined {
  if (size === 0 || size > MAX_REPORT_BYTES) return undefined;
  return readTrivyInSlices(path, ByteWindow.reading(size, read, REPORT_CHUNK_BYTES));
}

/** How much of a report file is read at a time: slices are 32 KB, so a chunk holds some thirty. */
const REPORT_CHUNK_BYTES = 1024 * 1024;

/**
 * Reads one report from its decoded text. The text is let go as soon as it is parsed (the
 * parameter is reassigned): a 150 MB report then never holds its bytes, its text, its parsed
 * document and its normalized form in memory at once.
 */
export function readReportText(path: string, text: string): Report {
  const first = firstSignificantChar(text);
  if (first === undefined) throw new InputError({ file: path, message: 'the report is empty (only whitespace)' });
  if (first === '{' || first === '[') {
    const doc = parseJsonText(path, text);
    text = '';
    const format = detectJsonFormat(doc);
    if (format === undefined || !isObject(doc)) throw new InputError({ file: path, message: `${NOT_RECOGNIZED}; got JSON of another shape` });
    return READERS[format](path, { syntax: 'json', doc });
  }
  if (first === '<') {
    const root = xmlRoot(parseXmlText(path, text));
    const format = root === undefined ? undefined : detectXmlFormat(root.name);
    if (format === undefined || root === undefined) {
      throw new InputError({ file: path, message: `${NOT_RECOGNIZED}; got XML with root element <${root?.name ?? '?'}>` });
    }
    return READERS[format](path, { syntax: 'xml', rootName: root.name, root: root.node, text });
  }
  if (!isClamscanLog(text)) throw new InputError({ file: path, message: `${NOT_RECOGNIZED}; got text that is not a clamscan log` });
  return READERS['clamav-log'](path, { syntax: 'text', text });
}

/** Size, binary and UTF-8 checks, then the text (a BOM is dropped). */
export function decodeReport(path: string, bytes: Uint8Array | Buffer): string {
  const content = new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (content.byteLength === 0) throw new InputError({ file: path, message: 'the report is empty' });
  if (content.byteLength > MAX_REPORT_BYTES) {
    const megabytes = Math.ceil(content.byteLength / (1024 * 1024));
    throw new InputError({ file: path, message: `report is ${megabytes} MB, over the ${MAX_REPORT_BYTES / (1024 * 1024)} MB limit` });
  }
  const head = content.subarray(0, BINARY_SNIFF_BYTES);
  const isBinary = head.includes(0) || !isUtf8Prefix(head);
  if (isBinary) throw new InputError({ file: path, message: 'binary content (NUL bytes or invalid UTF-8 in the first KB): not a text report' });
  // Decoded as JSON.parse's callers usually do and validated on the way (a fatal TextDecoder does both, slower); a BOM is dropped.
  const start = content[0] === 0xef && content[1] === 0xbb && content[2] === 0xbf ? 3 : 0;
  const text = decodeValidUtf8(content, start);
  if (text === undefined) throw new InputError({ file: path, message: 'the report is not valid UTF-8 text' });
  return text;
}

/** Valid UTF-8, allowing a multi-byte character cut at the end of the slice. */
function isUtf8Prefix(bytes: Uint8Array): boolean {
  try {
    new TextDecoder('utf-8', { fatal: true }).decode(bytes, { stream: true });
    return true;
  } catch {
    return false;
  }
}

function json(read: (file: string, doc: JsonObject) => Report): Reader {
  return (file, parsed) => {
    if (parsed.syntax !== 'json') throw new InputError({ file, message: NOT_RECOGNIZED });
    return read(file, parsed.doc);
  };
}

function xml(read: (file: string, root: XmlNode, text: string, rootName: string) => Report): Reader {
  return (file, parsed) => {
    if (parsed.syntax !== 'xml') throw new InputError({ file, message: NOT_RECOGNIZED });
    return read(file, parsed.root, parsed.text, parsed.rootName);
  };
}

function text(read: (file: string, text: string) => Report): Reader {
  return (file, parsed) => {
    if (parsed.syntax !== 'text') throw new InputError({ file, message: NOT_RECOGNIZED });
    return read(file, parsed.text);
  };
}
