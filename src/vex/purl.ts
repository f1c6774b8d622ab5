import { PackageURL } from 'packageurl-js';
import { fieldError } from '../readers/fields.ts';
import type { Purl } from './schema.ts';

/**
 * Package URLs through packageurl-js, the purl spec's JavaScript library: it decodes and
 * normalizes each part as the spec says for the type (`pkg:pypi/Django_Foo` is `django-foo`).
 */

/** A package URL, or undefined when `text` is not one (a finding's purl from a report: it then matches nothing). */
export function tryParsePurl(text: string): Purl | undefined {
  if (!text.startsWith('pkg:')) return undefined;
  let parsed: PackageURL;
  try {
    parsed = PackageURL.fromString(text);
  } catch (error) {
    if (error instanceof Error) return undefined;
    throw error;
  }
  const purl: Purl = { type: parsed.type, name: parsed.name, qualifiers: { ...(parsed.qualifiers ?? {}) } };
  if (parsed.namespace) purl.namespace = parsed.namespace;
  if (parsed.version) purl.version = parsed.version;
  return purl;
}

/** A product's package URL in a VEX document: anything else is an InputError at its place. */
export function parseVexPurl(file: string, value: unknown, at: string): Purl {
  const purl = typeof value === 'string' ? tryParsePurl(value) : undefined;
  if (purl === undefined) throw fieldError(file, at, 'a package URL, pkg:TYPE/NAME… (other product identifiers are not supported)', value);
  return purl;
}
