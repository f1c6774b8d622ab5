import type { ReportFormat } from '../model/report.ts';
import { isClamscanLog } from './clamav/read.ts';
import { isObject } from './fields.ts';
import { parseXmlText, xmlRoot } from './xml.ts';

/**
 * Which report format `text` is, from its content alone (never the file name), or undefined.
 * readReport parses once and calls the detectors on the parsed document directly.
 */
export function detectFormat(text: string): ReportFormat | undefined {
  const first = firstSignificantChar(text);
  if (first === '{' || first === '[') {
    let doc: unknown;
    try {
      doc = JSON.parse(text) as unknown;
    } catch {
      return undefined;
    }
    return detectJsonFormat(doc);
  }
  if (first === '<') {
    let root: ReturnType<typeof xmlRoot>;
    try {
      root = xmlRoot(parseXmlText('-', text));
    } catch {
      return undefined;
    }
    return root === undefined ? undefined : detectXmlFormat(root.name);
  }
  return isClamscanLog(text) ? 'clamav-log' : undefined;
}

/** Key checks on a parsed JSON document: cheap, no walk. */
export function detectJsonFormat(doc: unknown): ReportFormat | undefined {
  if (!isObject(doc)) return undefined;
  if (doc['SchemaVersion'] !== undefined && (doc['Results'] !== undefined || doc['ArtifactName'] !== undefined)) return 'trivy-json';
  if (Array.isArray(doc['matches']) && (doc['source'] !== undefined || doc['descriptor'] !== undefined || doc['distro'] !== undefined)) {
    return 'grype-json';
  }
  if (Array.isArray(doc['runs']) && (typeof doc['version'] === 'string' || String(doc['$schema'] ?? '').includes('sarif'))) return 'sarif';
  if (doc['bomFormat'] === 'CycloneDX') return 'cyclonedx-json';
  if (Array.isArray(doc['details']) && isObject(doc['summary'])) return 'dockle-json';
  return undefined;
}

/** By the root element's local name. */
export function detectXmlFormat(rootName: string): ReportFormat | undefined {
  if (rootName === 'bom') return 'cyclonedx-xml';
  if (rootName === 'asset-report-collection' || rootName === 'oval_results') return 'oval-xml';
  return undefined;
}

export function firstSignificantChar(text: string): string | undefined {
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09 && c !== 0xfeff) return text[i];
  }
  return undefined;
}
