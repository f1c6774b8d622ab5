import { InputError } from '../errors.ts';
import { fieldError, isObject, optionalArray, optionalString, requireArray, requireObject, requireString, type JsonObject } from '../readers/fields.ts';
import { nonEmpty, OPENVEX_JUSTIFICATIONS, optionalTimestamp } from './fields.ts';
import { parseVexPurl } from './purl.ts';
import type { VexComponent, VexProduct, VexStatement, VexStatus } from './schema.ts';

/**
 * CSAF 2.0 with `document.category: csaf_vex`: each product ID a vulnerability's `product_status`
 * lists is one statement. Product IDs resolve through `product_tree` (branches, full product names
 * and relationships) to package URLs (`product_identification_helper.purl`); a relationship is
 * its `relates_to_product_reference` narrowed to the `product_reference` (a subcomponent), or the
 * component alone when the product has no package URL (an operating system named by CPE). A
 * `known_not_affected` product needs a flag (its justification) or an `impact` threat that names
 * it or names no product. Every statement's time is `document.tracking.current_release_date`.
 */

const STATUS_LISTS: readonly [string, VexStatus][] = [
  ['known_not_affected', 'not_affected'],
  ['fixed', 'fixed'],
  ['first_fixed', 'fixed'],
  ['known_affected', 'affected'],
  ['first_affected', 'affected'],
  ['last_affected', 'affected'],
  ['under_investigation', 'under_investigation'],
];

interface TreeProduct {
  /** Where the product is defined, for errors. */
  at: string;
  purl?: unknown;
  purlAt: string;
  /** For a relationship: the component and the product it is part of. */
  relationship?: { component: string; product: string; at: string };
}

export function readCsafVex(file: string, doc: JsonObject): VexStatement[] {
  const document = requireObject(file, doc['document'], 'document');
  const tracking = requireObject(file, document['tracking'], 'document.tracking');
  const timestamp = optionalTimestamp(file, tracking['current_release_date'], 'document.tracking.current_release_date');
  if (timestamp === undefined) throw fieldError(file, 'document.tracking.current_release_date', 'an ISO 8601 date-time', undefined);
  const tree = readProductTree(file, doc['product_tree']);
  const groups = readGroups(file, doc['product_tree']);
  const statements: VexStatement[] = [];
  optionalArray(file, doc['vulnerabilities'], 'vulnerabilities').forEach((raw, index) => {
    const at = `vulnerabilities[${index}]`;
    const vulnerability = requireObject(file, raw, at);
    const { id, aliases } = readIds(file, vulnerability, at);
    const productStatus = requireObject(file, vulnerability['product_status'], `${at}.product_status`);
    for (const [list, status] of STATUS_LISTS) {
      optionalArray(file, productStatus[list], `${at}.product_status.${list}`).forEach((productId, p) => {
        const statementAt = `${at}.product_status.${list}[${p}]`;
        if (typeof productId !== 'string' || productId === '') throw fieldError(file, statementAt, 'a product ID', productId);
        const statement: VexStatement = { document: file, at: statementAt, vulnerability: id, aliases, products: [resolveProduct(file, productId, statementAt, tree)], status, timestamp };
        if (status === 'not_affected') {
          const reason = reasonFor(file, vulnerability, at, productId, groups);
          if (reason.justification === undefined && reason.impactStatement === undefined) {
            throw new InputError({
              file,
              message: `${statementAt}: product ${productId} is known_not_affected without a flag (its justification) or an impact threat (its impact statement); without one it cannot suppress anything, so the document is refused`,
            });
          }
          Object.assign(statement, reason);
        }
        statements.push(statement);
      });
    }
  });
  return statements;
}

/** `cve`, else the first of `ids[].text`; every other ID is an alias. */
function readIds(file: string, vulnerability: JsonObject, at: string): { id: string; aliases: string[] } {
  const ids: string[] = [];
  const cve = nonEmpty(optionalString(file, vulnerability['cve'], `${at}.cve`));
  if (cve !== undefined) ids.push(cve);
  optionalArray(file, vulnerability['ids'], `${at}.ids`).forEach((raw, i) => {
    const entry = requireObject(file, raw, `${at}.ids[${i}]`);
    const text = requireString(file, entry['text'], `${at}.ids[${i}].text`);
    if (!ids.includes(text)) ids.push(text);
  });
  const [id, ...aliases] = ids;
  if (id === undefined) throw fieldError(file, `${at}.cve`, 'a CVE ID (or ids[].text)', vulnerability['cve']);
  return { id, aliases };
}

function readProductTree(file: string, value: unknown): Map<string, TreeProduct> {
  const products = new Map<string, TreeProduct>();
  if (value === undefined || value === null) return products;
  const tree = requireObject(file, value, 'product_tree');
  const addFullName = (raw: unknown, at: string): void => {
    const product = requireObject(file, raw, at);
    const productId = requireString(file, product['product_id'], `${at}.product_id`);
    const helper = isObject(product['product_identification_helper']) ? product['product_identification_helper'] : undefined;
    products.set(productId, { at, purl: helper?.['purl'], purlAt: `${at}.product_identification_helper.purl` });
  };
  const visitBranches = (list: unknown, at: string): void => {
    optionalArray(file, list, at).forEach((raw, b) => {
      const branch = requireObject(file, raw, `${at}[${b}]`);
      if (branch['product'] !== undefined) addFullName(branch['product'], `${at}[${b}].product`);
      visitBranches(branch['branches'], `${at}[${b}].branches`);
    });
  };
  visitBranches(tree['branches'], 'product_tree.branches');
  optionalArray(file, tree['full_product_names'], 'product_tree.full_product_names').forEach((raw, f) => addFullName(raw, `product_tree.full_product_names[${f}]`));
  optionalArray(file, tree['relationships'], 'product_tree.relationships').forEach((raw, r) => {
    const at = `product_tree.relationships[${r}]`;
    const relationship = requireObject(file, raw, at);
    const component = requireString(file, relationship['product_reference'], `${at}.product_reference`);
    const product = requireString(file, relationship['relates_to_product_reference'], `${at}.relates_to_product_reference`);
    const full = requireObject(file, relationship['full_product_name'], `${at}.full_product_name`);
    const productId = requireString(file, full['product_id'], `${at}.full_product_name.product_id`);
    products.set(productId, { at, purlAt: `${at}.full_product_name`, relationship: { component, product, at } });
  });
  return products;
}

function readGroups(file: string, value: unknown): Map<string, string[]> {
  const groups = new Map<string, string[]>();
  if (!isObject(value)) return groups;
  optionalArray(file, value['product_groups'], 'product_tree.product_groups').forEach((raw, g) => {
    const at = `product_tree.product_groups[${g}]`;
    const group = requireObject(file, raw, at);
    const ids = requireArray(file, group['product_ids'], `${at}.product_ids`).map((id, i) => requireString(file, id, `${at}.product_ids[${i}]`));
    groups.set(requireString(file, group['group_id'], `${at}.group_id`), ids);
  });
  return groups;
}

function resolveProduct(file: string, productId: string, at: string, tree: Map<string, TreeProduct>): VexProduct {
  const product = tree.get(productId);
  if (product === undefined) throw new InputError({ file, message: `${at}: product ${productId} is not defined in product_tree` });
  if (product.relationship === undefined) return { ...componentOf(file, productId, product), subcomponents: [] };
  const { component, product: parent, at: relationshipAt } = product.relationship;
  const sub = tree.get(component);
  if (sub === undefined || sub.relationship !== undefined) throw new InputError({ file, message: `${relationshipAt}.product_reference: product ${component} is not a product of product_tree.branches or full_product_names` });
  const whole = tree.get(parent);
  if (whole === undefined || whole.relationship !== undefined) throw new InputError({ file, message: `${relationshipAt}.relates_to_product_reference: product ${parent} is not a product of product_tree.branches or full_product_names` });
  const subcomponent = componentOf(file, component, sub);
  if (whole.purl === undefined) return { ...subcomponent, subcomponents: [] };
  return { ...componentOf(file, parent, whole), subcomponents: [subcomponent] };
}

function componentOf(file: string, productId: string, product: TreeProduct): VexComponent {
  if (product.purl === undefined) throw new InputError({ file, message: `${product.at}: product ${productId} has no product_identification_helper.purl; only products named by a package URL can be matched` });
  return { id: productId, purl: parseVexPurl(file, product.purl, product.purlAt) };
}

/** The flag (justification) and the impact threat (impact statement) that name the product, directly or through a group. */
function reasonFor(file: string, vulnerability: JsonObject, at: string, productId: string, groups: Map<string, string[]>): { justification?: string; impactStatement?: string } {
  const names = (entry: JsonObject, entryAt: string, isAllWhenUnnamed: boolean): boolean => {
    const ids = optionalArray(file, entry['product_ids'], `${entryAt}.product_ids`);
    const groupIds = optionalArray(file, entry['group_ids'], `${entryAt}.group_ids`);
    if (ids.length === 0 && groupIds.length === 0) return isAllWhenUnnamed;
    return ids.includes(productId) || groupIds.some((group) => typeof group === 'string' && (groups.get(group) ?? []).includes(productId));
  };
  const reason: { justification?: string; impactStatement?: string } = {};
  optionalArray(file, vulnerability['flags'], `${at}.flags`).forEach((raw, f) => {
    const flagAt = `${at}.flags[${f}]`;
    const flag = requireObject(file, raw, flagAt);
    const label = flag['label'];
    if (typeof label !== 'string' || !(OPENVEX_JUSTIFICATIONS as readonly string[]).includes(label)) throw fieldError(file, `${flagAt}.label`, `one of ${OPENVEX_JUSTIFICATIONS.join(', ')}`, label);
    if (reason.justification === undefined && names(flag, flagAt, false)) reason.justification = label;
  });
  optionalArray(file, vulnerability['threats'], `${at}.threats`).forEach((raw, t) => {
    const threatAt = `${at}.threats[${t}]`;
    const threat = requireObject(file, raw, threatAt);
    if (threat['category'] !== 'impact') return;
    const details = nonEmpty(requireString(file, threat['details'], `${threatAt}.details`));
    if (reason.impactStatement === undefined && details !== undefined && names(threat, threatAt, true)) reason.impactStatement = details;
  });
  return reason;
}
