import { fieldError, isObject, optionalArray, optionalString, requireArray, requireObject, type JsonObject } from '../readers/fields.ts';
import { latestTimestamp, nonEmpty, OPENVEX_JUSTIFICATIONS, optionalEnum, optionalTimestamp, requireReason } from './fields.ts';
import { parseVexPurl } from './purl.ts';
import { VEX_STATUSES, type VexComponent, type VexProduct, type VexStatement } from './schema.ts';

/**
 * OpenVEX 0.2 (https://github.com/openvex/spec): `statements[]` with a vulnerability (`name`, or
 * `@id` as older documents and Trivy's fixtures write it, and `aliases`), products (`@id` or
 * `identifiers.purl`, with `subcomponents`), a status, a justification and an impact statement.
 * A statement's time is its `last_updated` or `timestamp`, else the document's.
 */
export function readOpenVex(file: string, doc: JsonObject): VexStatement[] {
  const documentTime = latestTimestamp(optionalTimestamp(file, doc['timestamp'], 'timestamp'), optionalTimestamp(file, doc['last_updated'], 'last_updated'));
  const statements = requireArray(file, doc['statements'], 'statements');
  return statements.map((raw, index) => {
    const at = `statements[${index}]`;
    const item = requireObject(file, raw, at);
    const vulnerability = readVulnerability(file, item['vulnerability'], `${at}.vulnerability`);
    const products = requireArray(file, item['products'], `${at}.products`);
    if (products.length === 0) throw fieldError(file, `${at}.products`, 'at least one product');
    const status = optionalEnum(file, item['status'], `${at}.status`, VEX_STATUSES);
    if (status === undefined) throw fieldError(file, `${at}.status`, `one of ${VEX_STATUSES.join(', ')}`, item['status']);
    const justification = optionalEnum(file, item['justification'], `${at}.justification`, OPENVEX_JUSTIFICATIONS);
    const impactStatement = nonEmpty(optionalString(file, item['impact_statement'], `${at}.impact_statement`));
    requireReason(file, at, status, { ...(justification === undefined ? {} : { justification }), ...(impactStatement === undefined ? {} : { impactStatement }) }, 'a justification or an impact_statement');
    const statementTime = latestTimestamp(optionalTimestamp(file, item['timestamp'], `${at}.timestamp`), optionalTimestamp(file, item['last_updated'], `${at}.last_updated`));
    const timestamp = statementTime ?? documentTime;
    const statement: VexStatement = {
      document: file,
      at,
      ...vulnerability,
      products: products.map((product, p) => readProduct(file, product, `${at}.products[${p}]`)),
      status,
    };
    if (justification !== undefined) statement.justification = justification;
    if (impactStatement !== undefined) statement.impactStatement = impactStatement;
    if (timestamp !== undefined) statement.timestamp = timestamp;
    return statement;
  });
}

function readVulnerability(file: string, value: unknown, at: string): { vulnerability: string; aliases: string[] } {
  if (typeof value === 'string' && value !== '') return { vulnerability: value, aliases: [] };
  const vulnerability = requireObject(file, value, at);
  const name = nonEmpty(optionalString(file, vulnerability['name'], `${at}.name`)) ?? nonEmpty(optionalString(file, vulnerability['@id'], `${at}['@id']`));
  if (name === undefined) throw fieldError(file, `${at}.name`, 'the vulnerability ID (name or @id)', vulnerability['name']);
  const aliases: string[] = [];
  optionalArray(file, vulnerability['aliases'], `${at}.aliases`).forEach((alias, i) => {
    if (typeof alias !== 'string' || alias === '') throw fieldError(file, `${at}.aliases[${i}]`, 'a non-empty string', alias);
    if (alias !== name && !aliases.includes(alias)) aliases.push(alias);
  });
  // A URL-shaped @id (`https://pkg.go.dev/vuln/GO-2024-2575`) is not an ID findings carry: only the name and aliases match.
  return { vulnerability: name, aliases };
}

function readProduct(file: string, value: unknown, at: string): VexProduct {
  const component = readComponent(file, value, at);
  const subcomponents = isObject(value) ? optionalArray(file, value['subcomponents'], `${at}.subcomponents`) : [];
  return { ...component, subcomponents: subcomponents.map((sub, s) => readComponent(file, sub, `${at}.subcomponents[${s}]`)) };
}

/** `"pkg:…"` (OpenVEX 0.0.x), or `{ "@id": …, "identifiers": { "purl": … } }`: the purl identifier first. */
function readComponent(file: string, value: unknown, at: string): VexComponent {
  if (typeof value === 'string') return { id: value, purl: parseVexPurl(file, value, at) };
  const component = requireObject(file, value, at);
  const identifiers = isObject(component['identifiers']) ? component['identifiers'] : undefined;
  const purl = identifiers?.['purl'];
  if (purl !== undefined) return { id: String(purl), purl: parseVexPurl(file, purl, `${at}.identifiers.purl`) };
  const id = component['@id'];
  return { id: typeof id === 'string' ? id : '', purl: parseVexPurl(file, id, `${at}['@id']`) };
}
