import { InputError } from '../errors.ts';
import { fieldError, isObject, optionalArray, optionalObject, optionalString, requireArray, requireObject, requireString, type JsonObject } from '../readers/fields.ts';
import { latestTimestamp, nonEmpty, optionalEnum, optionalTimestamp, requireReason } from './fields.ts';
import { parseVexPurl } from './purl.ts';
import type { Purl, VexProduct, VexStatement, VexStatus } from './schema.ts';

/**
 * CycloneDX VEX, spec 1.4 and later (`vulnerabilities[].analysis`): one statement per
 * vulnerability. Analysis states map onto VEX statuses as Trivy maps them; `false_positive` is
 * `not_affected`, and says why by itself. `affects[].ref` is a BOM-link (`urn:cdx:…#bom-ref`), the
 * bom-ref of a component of this document, or a package URL. A statement's time is the analysis's
 * `lastUpdated` or `firstIssued`, the vulnerability's `updated` or `published`, else `metadata.timestamp`.
 */

const STATES: Readonly<Record<string, VexStatus>> = {
  not_affected: 'not_affected',
  false_positive: 'not_affected',
  resolved: 'fixed',
  resolved_with_pedigree: 'fixed',
  exploitable: 'affected',
  in_triage: 'under_investigation',
};

const JUSTIFICATIONS = [
  'code_not_present',
  'code_not_reachable',
  'requires_configuration',
  'requires_dependency',
  'requires_environment',
  'protected_by_compiler',
  'protected_at_runtime',
  'protected_at_perimeter',
  'protected_by_mitigating_control',
] as const;

export function readCycloneDxVex(file: string, doc: JsonObject): VexStatement[] {
  const specVersion = typeof doc['specVersion'] === 'string' ? doc['specVersion'] : '';
  const [major, minor] = specVersion.split('.').map(Number);
  if (major !== 1 || minor === undefined || !(minor >= 4)) throw fieldError(file, 'specVersion', 'CycloneDX 1.4 or later (VEX needs analysis justifications)', doc['specVersion']);
  const metadata = optionalObject(file, doc['metadata'], 'metadata');
  const documentTime = optionalTimestamp(file, metadata?.['timestamp'], 'metadata.timestamp');
  const purlsByRef = componentPurls(file, doc);
  const vulnerabilities = requireArray(file, doc['vulnerabilities'], 'vulnerabilities');
  return vulnerabilities.map((raw, index) => {
    const at = `vulnerabilities[${index}]`;
    const vulnerability = requireObject(file, raw, at);
    const id = requireString(file, vulnerability['id'], `${at}.id`);
    const analysis = requireObject(file, vulnerability['analysis'], `${at}.analysis`);
    const state = optionalEnum(file, analysis['state'], `${at}.analysis.state`, Object.keys(STATES));
    if (state === undefined) throw fieldError(file, `${at}.analysis.state`, `one of ${Object.keys(STATES).join(', ')}`, analysis['state']);
    const status = STATES[state]!;
    const justification = optionalEnum(file, analysis['justification'], `${at}.analysis.justification`, JUSTIFICATIONS) ?? (state === 'false_positive' ? 'false_positive' : undefined);
    const impactStatement = nonEmpty(optionalString(file, analysis['detail'], `${at}.analysis.detail`));
    requireReason(file, `${at}.analysis`, status, { ...(justification === undefined ? {} : { justification }), ...(impactStatement === undefined ? {} : { impactStatement }) }, 'a justification or a detail');
    const timestamp =
      latestTimestamp(optionalTimestamp(file, analysis['lastUpdated'], `${at}.analysis.lastUpdated`), optionalTimestamp(file, analysis['firstIssued'], `${at}.analysis.firstIssued`)) ??
      latestTimestamp(optionalTimestamp(file, vulnerability['updated'], `${at}.updated`), optionalTimestamp(file, vulnerability['published'], `${at}.published`)) ??
      documentTime;
    const affects = requireArray(file, vulnerability['affects'], `${at}.affects`);
    if (affects.length === 0) throw fieldError(file, `${at}.affects`, 'at least one affected component');
    const statement: VexStatement = {
      document: file,
      at,
      vulnerability: id,
      aliases: readAliases(file, vulnerability, at, id),
      products: affects.flatMap((affect, a) => readAffect(file, affect, `${at}.affects[${a}]`, status, purlsByRef)),
      status,
    };
    if (justification !== undefined) statement.justification = justification;
    if (impactStatement !== undefined) statement.impactStatement = impactStatement;
    if (timestamp !== undefined) statement.timestamp = timestamp;
    return statement;
  });
}

/** `references[].id`: the same vulnerability under other IDs (GHSA ⇄ CVE). */
function readAliases(file: string, vulnerability: JsonObject, at: string, id: string): string[] {
  const aliases: string[] = [];
  optionalArray(file, vulnerability['references'], `${at}.references`).forEach((reference, r) => {
    const alias = isObject(reference) ? reference['id'] : undefined;
    if (typeof alias !== 'string' || alias === '') throw fieldError(file, `${at}.references[${r}].id`, 'a non-empty string', alias);
    if (alias !== id && !aliases.includes(alias)) aliases.push(alias);
  });
  return aliases;
}

/** The document's own components by bom-ref, with their package URLs (nested components too). */
function componentPurls(file: string, doc: JsonObject): Map<string, { purl: unknown; at: string }> {
  const byRef = new Map<string, { purl: unknown; at: string }>();
  const visit = (list: unknown, at: string): void => {
    optionalArray(file, list, at).forEach((component, c) => {
      if (!isObject(component)) return;
      const ref = component['bom-ref'];
      if (typeof ref === 'string') byRef.set(ref, { purl: component['purl'], at: `${at}[${c}].purl` });
      visit(component['components'], `${at}[${c}].components`);
    });
  };
  const metadata = isObject(doc['metadata']) ? doc['metadata'] : undefined;
  if (isObject(metadata?.['component'])) visit([metadata['component']], 'metadata.component');
  visit(doc['components'], 'components');
  return byRef;
}

/**
 * One affected component → the product it names. With `versions`, the product is that package at
 * each listed version: for a statement that can suppress (not_affected, fixed) only the versions
 * whose own status is `unaffected`, so a version the document calls `affected` is never waived;
 * for the others every listed version, so they block wherever they could.
 */
function readAffect(file: string, value: unknown, at: string, status: VexStatus, purlsByRef: Map<string, { purl: unknown; at: string }>): VexProduct[] {
  const affect = requireObject(file, value, at);
  const ref = requireString(file, affect['ref'], `${at}.ref`);
  const { id, purl } = resolveRef(file, ref, `${at}.ref`, purlsByRef);
  const versions = optionalArray(file, affect['versions'], `${at}.versions`);
  if (versions.length === 0) return [{ id, purl, subcomponents: [] }];
  const isSuppressing = status === 'not_affected' || status === 'fixed';
  const products: VexProduct[] = [];
  versions.forEach((raw, v) => {
    const entry = requireObject(file, raw, `${at}.versions[${v}]`);
    if (entry['range'] !== undefined) {
      throw new InputError({ file, message: `${at}.versions[${v}].range: version ranges are not supported; list each version with "version"` });
    }
    const version = requireString(file, entry['version'], `${at}.versions[${v}].version`);
    const versionStatus = optionalEnum(file, entry['status'], `${at}.versions[${v}].status`, ['affected', 'unaffected', 'unknown'] as const) ?? 'affected';
    if (isSuppressing && versionStatus !== 'unaffected') return;
    const pinned: Purl = { ...purl, version };
    products.push({ id: `${id} (version ${version})`, purl: pinned, subcomponents: [] });
  });
  return products;
}

function resolveRef(file: string, ref: string, at: string, purlsByRef: Map<string, { purl: unknown; at: string }>): { id: string; purl: Purl } {
  const hash = ref.startsWith('urn:cdx:') ? ref.indexOf('#') : -1;
  const bomRef = hash >= 0 ? safeDecode(ref.slice(hash + 1)) : ref;
  const component = purlsByRef.get(bomRef);
  if (component !== undefined) return { id: ref, purl: parseVexPurl(file, component.purl, component.at) };
  return { id: ref, purl: parseVexPurl(file, bomRef, at) };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch (error) {
    if (error instanceof URIError) return text;
    throw error;
  }
}
