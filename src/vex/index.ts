import { Buffer } from 'node:buffer';
import { InputError } from '../errors.ts';
import { isObject, type JsonObject } from '../readers/fields.ts';
import { decodeReport } from '../readers/index.ts';
import { parseJsonText } from '../readers/json-text.ts';
import { readCsafVex } from './csaf.ts';
import { readCycloneDxVex } from './cyclonedx.ts';
import { readOpenVex } from './openvex.ts';
import { VexDocument, type VexFormat, type VexStatement } from './schema.ts';

/** A VEX document is a few hundred statements; anything far larger is a mistake. */
export const MAX_VEX_BYTES = 16 * 1024 * 1024;

export const NOT_VEX = 'not a recognized VEX document: expected OpenVEX 0.2, CycloneDX VEX (1.4 or later) or CSAF 2.0 VEX (document.category csaf_vex)';

type VexReader = (file: string, doc: JsonObject) => VexStatement[];

/** The registry: one line per format (as readers/index.ts). */
export const VEX_READERS: Readonly<Record<VexFormat, VexReader>> = {
  openvex: readOpenVex,
  'cyclonedx-vex': readCycloneDxVex,
  'csaf-vex': readCsafVex,
};

/** Which VEX format a parsed JSON document is, from its content alone. */
export function detectVexFormat(doc: unknown): VexFormat | undefined {
  if (!isObject(doc)) return undefined;
  const context = doc['@context'];
  if (typeof context === 'string' && context.startsWith('https://openvex.dev/ns')) return 'openvex';
  if (doc['bomFormat'] === 'CycloneDX') return 'cyclonedx-vex';
  const document = isObject(doc['document']) ? doc['document'] : undefined;
  if (document !== undefined && document['csaf_version'] === '2.0' && document['category'] === 'csaf_vex') return 'csaf-vex';
  return undefined;
}

/**
 * Reads one VEX document: JSON, its format detected from the content, every statement checked.
 * Every problem is an InputError naming `file` and the JSON path of the bad part. Pure.
 */
export function readVexDocument(file: string, content: Uint8Array | Buffer | string): VexDocument {
  const size = typeof content === 'string' ? Buffer.byteLength(content) : content.byteLength;
  if (size > MAX_VEX_BYTES) throw new InputError({ file, message: `the VEX document is ${Math.ceil(size / (1024 * 1024))} MB, over the ${MAX_VEX_BYTES / (1024 * 1024)} MB limit` });
  const text = typeof content === 'string' ? content : decodeReport(file, content);
  if (text.trim() === '') throw new InputError({ file, message: 'the VEX document is empty' });
  const doc = parseJsonText(file, text);
  const format = detectVexFormat(doc);
  if (format === undefined || !isObject(doc)) throw new InputError({ file, message: NOT_VEX });
  return VexDocument.parse({ file, format, statements: VEX_READERS[format](file, doc) });
}
