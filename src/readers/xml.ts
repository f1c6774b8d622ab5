import { XMLParser, XMLValidator } from 'fast-xml-parser';
import { InputError } from '../errors.ts';

/** A parsed XML element: attributes as `@_name`, text as `#text` (or the element is a bare string). */
export type XmlNode = Record<string, unknown>;

const parser = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  removeNSPrefix: true,
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
});

/** Validates (for the line and column of a syntax error), then parses with namespace prefixes removed. */
export function parseXmlText(file: string, text: string): XmlNode {
  if (/<!ENTITY/i.test(text)) throw new InputError({ file, message: 'XML with DTD entity declarations is not accepted' });
  const validation = XMLValidator.validate(text);
  if (validation !== true) {
    const { line, col, msg } = validation.err;
    throw new InputError({ file, line, col, message: `invalid XML: ${msg}` });
  }
  return parser.parse(text) as XmlNode;
}

/** The document's root element: its local name and node (skipping `?xml` and comments). */
export function xmlRoot(doc: XmlNode): { name: string; node: XmlNode } | undefined {
  for (const key of Object.keys(doc)) {
    if (key.startsWith('?') || key.startsWith('#')) continue;
    const value = doc[key];
    return { name: key, node: isXmlNode(value) ? value : {} };
  }
  return undefined;
}

export function isXmlNode(value: unknown): value is XmlNode {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Child elements named `name`, always as a list. */
export function children(node: unknown, name: string): unknown[] {
  if (!isXmlNode(node)) return [];
  const value = node[name];
  if (value === undefined) return [];
  return Array.isArray(value) ? value : [value];
}

export function child(node: unknown, name: string): unknown {
  return children(node, name)[0];
}

/** An element's text: a bare string, or its `#text`. */
export function textOf(node: unknown): string | undefined {
  if (typeof node === 'string') return node;
  if (isXmlNode(node) && typeof node['#text'] === 'string') return node['#text'];
  return undefined;
}

export function attr(node: unknown, name: string): string | undefined {
  if (!isXmlNode(node)) return undefined;
  const value = node[`@_${name}`];
  return typeof value === 'string' ? value : undefined;
}

/** Every element named `name` anywhere below `node`, in document order. */
export function descendants(node: unknown, name: string, out: XmlNode[] = []): XmlNode[] {
  if (Array.isArray(node)) {
    for (const item of node) descendants(item, name, out);
    return out;
  }
  if (!isXmlNode(node)) return out;
  for (const key of Object.keys(node)) {
    if (key.startsWith('@_') || key === '#text') continue;
    const value = node[key];
    if (key === name) {
      for (const item of Array.isArray(value) ? value : [value]) {
        if (isXmlNode(item)) out.push(item);
        else if (typeof item === 'string') out.push({ '#text': item });
      }
    }
    descendants(value, name, out);
  }
  return out;
}
