import type { Report } from '../../model/report.ts';
import {
  fieldError,
  isObject,
  optionalArray,
  optionalNumber,
  optionalObject,
  optionalString,
  optionalTime,
  requireArray,
  requireObject,
  requireString,
  type JsonObject,
} from '../fields.ts';
import { toReport, type CdxAffect, type CdxComponent, type CdxRating, type CdxVulnerability } from './normalize.ts';

/**
 * CycloneDX JSON with `vulnerabilities` (Trivy `--format cyclonedx`, Grype `-o cyclonedx-json`).
 * A BOM without a `vulnerabilities` array is an SBOM, not a scan: that is an input error, since
 * reading it as "no vulnerabilities" would pass an unscanned image.
 */
export function readCycloneDxJson(file: string, doc: JsonObject): Report {
  if (doc['vulnerabilities'] === undefined) {
    throw fieldError(file, 'vulnerabilities', 'an array: a CycloneDX BOM without vulnerabilities is an SBOM, not a scan report');
  }
  const vulnerabilities = requireArray(file, doc['vulnerabilities'], 'vulnerabilities');
  const metadata = optionalObject(file, doc['metadata'], 'metadata');
  const tool = readTool(metadata);
  const components: CdxComponent[] = [];
  collectComponents(file, doc['components'], 'components', components);
  const metadataComponent = metadata?.['component'] === undefined ? undefined : readComponent(file, metadata['component'], 'metadata.component');
  const timestamp = optionalTime(file, metadata?.['timestamp'], 'metadata.timestamp');
  return toReport(file, {
    ...(timestamp === undefined ? {} : { timestamp }),
    format: 'cyclonedx-json',
    tool: tool.name,
    ...(tool.version === undefined ? {} : { toolVersion: tool.version }),
    ...(metadataComponent === undefined ? {} : { metadataComponent }),
    components,
    vulnerabilities: vulnerabilities.map((item, v) => readVulnerability(file, item, `vulnerabilities[${v}]`)),
  });
}

/** `metadata.tools` is an array (CycloneDX ≤ 1.4) or `{components: […]}` (1.5+). */
function readTool(metadata: JsonObject | undefined): { name: string; version?: string } {
  const tools = metadata?.['tools'];
  const list = Array.isArray(tools) ? tools : isObject(tools) && Array.isArray(tools['components']) ? tools['components'] : [];
  const first: unknown = list[0];
  if (!isObject(first) || typeof first['name'] !== 'string') return { name: 'cyclonedx' };
  const name = first['name'].toLowerCase();
  return typeof first['version'] === 'string' ? { name, version: first['version'] } : { name };
}

function collectComponents(file: string, value: unknown, at: string, out: CdxComponent[]): void {
  const list = optionalArray(file, value, at);
  for (let c = 0; c < list.length; c += 1) {
    out.push(readComponent(file, list[c], `${at}[${c}]`));
    const nested = isObject(list[c]) ? (list[c] as JsonObject)['components'] : undefined;
    if (nested !== undefined) collectComponents(file, nested, `${at}[${c}].components`, out);
  }
}

function readComponent(file: string, value: unknown, at: string): CdxComponent {
  const component = requireObject(file, value, at);
  const rawName = requireString(file, component['name'], `${at}.name`);
  const group = optionalString(file, component['group'], `${at}.group`);
  const purl = optionalString(file, component['purl'], `${at}.purl`);
  const ref = optionalString(file, component['bom-ref'], `${at}.bom-ref`);
  const result: CdxComponent = {
    type: optionalString(file, component['type'], `${at}.type`) ?? 'library',
    name: qualifiedName(rawName, group, purl),
    version: optionalString(file, component['version'], `${at}.version`) ?? '',
    licenses: readLicenses(file, component['licenses'], `${at}.licenses`),
    properties: readProperties(file, component['properties'], `${at}.properties`),
  };
  if (ref !== undefined) result.ref = ref;
  if (purl !== undefined) result.purl = purl;
  return result;
}

/** Maven `group:name` and npm `@scope/name`, as Trivy and Grype name those packages elsewhere. */
export function qualifiedName(name: string, group: string | undefined, purl: string | undefined): string {
  if (group === undefined || group === '') return name;
  if (purl?.startsWith('pkg:maven/')) return `${group}:${name}`;
  if (purl?.startsWith('pkg:npm/')) return `${group}/${name}`;
  return name;
}

function readLicenses(file: string, value: unknown, at: string): string[] {
  const list = optionalArray(file, value, at);
  const licenses: string[] = [];
  for (let l = 0; l < list.length; l += 1) {
    const item = requireObject(file, list[l], `${at}[${l}]`);
    if (typeof item['expression'] === 'string') {
      licenses.push(item['expression']);
      continue;
    }
    const license = requireObject(file, item['license'], `${at}[${l}].license`);
    const id = typeof license['id'] === 'string' ? license['id'] : license['name'];
    licenses.push(requireString(file, id, `${at}[${l}].license.id`));
  }
  return licenses;
}

function readProperties(file: string, value: unknown, at: string): Map<string, string[]> {
  const properties = new Map<string, string[]>();
  const list = optionalArray(file, value, at);
  for (let p = 0; p < list.length; p += 1) {
    const item = requireObject(file, list[p], `${at}[${p}]`);
    const name = requireString(file, item['name'], `${at}[${p}].name`);
    const text = optionalString(file, item['value'], `${at}[${p}].value`) ?? '';
    const values = properties.get(name);
    if (values === undefined) properties.set(name, [text]);
    else values.push(text);
  }
  return properties;
}

function readVulnerability(file: string, value: unknown, at: string): CdxVulnerability {
  const vuln = requireObject(file, value, at);
  const id = requireString(file, vuln['id'], `${at}.id`);
  const ratings = optionalArray(file, vuln['ratings'], `${at}.ratings`).map((item, r) => readRating(file, item, `${at}.ratings[${r}]`));
  const affects = optionalArray(file, vuln['affects'], `${at}.affects`).map((item, a) => readAffect(file, item, `${at}.affects[${a}]`));
  const aliases: string[] = [];
  for (const [r, reference] of optionalArray(file, vuln['references'], `${at}.references`).entries()) {
    const alias = requireString(file, requireObject(file, reference, `${at}.references[${r}]`)['id'], `${at}.references[${r}].id`);
    if (!aliases.includes(alias)) aliases.push(alias);
  }
  const result: CdxVulnerability = { at, id, ratings, affects, aliases, properties: readProperties(file, vuln['properties'], `${at}.properties`) };
  const source = optionalObject(file, vuln['source'], `${at}.source`);
  const advisories = optionalArray(file, vuln['advisories'], `${at}.advisories`);
  const firstAdvisory = isObject(advisories[0]) && typeof advisories[0]['url'] === 'string' ? advisories[0]['url'] : undefined;
  if (typeof source?.['name'] === 'string' && source['name'] !== '') result.source = source['name'];
  const url = typeof source?.['url'] === 'string' ? source['url'] : firstAdvisory;
  if (url !== undefined) result.url = url;
  const recommendation = optionalString(file, vuln['recommendation'], `${at}.recommendation`);
  if (recommendation !== undefined) result.recommendation = recommendation;
  const analysis = optionalObject(file, vuln['analysis'], `${at}.analysis`);
  const state = optionalString(file, analysis?.['state'], `${at}.analysis.state`);
  if (state !== undefined) result.state = state;
  const published = optionalTime(file, vuln['published'], `${at}.published`);
  if (published !== undefined) result.published = published;
  return result;
}

function readRating(file: string, value: unknown, at: string): CdxRating {
  const rating = requireObject(file, value, at);
  const result: CdxRating = {};
  const severity = optionalString(file, rating['severity'], `${at}.severity`);
  if (severity !== undefined) result.severity = severity;
  const score = optionalNumber(file, rating['score'], `${at}.score`);
  if (score !== undefined) result.score = score;
  const method = optionalString(file, rating['method'], `${at}.method`);
  if (method !== undefined) result.method = method;
  const vector = optionalString(file, rating['vector'], `${at}.vector`);
  if (vector !== undefined) result.vector = vector;
  const source = optionalObject(file, rating['source'], `${at}.source`);
  if (typeof source?.['name'] === 'string') result.source = source['name'];
  return result;
}

function readAffect(file: string, value: unknown, at: string): CdxAffect {
  const affect = requireObject(file, value, at);
  const ref = requireString(file, affect['ref'], `${at}.ref`);
  const unaffected: string[] = [];
  for (const [i, item] of optionalArray(file, affect['versions'], `${at}.versions`).entries()) {
    const version = requireObject(file, item, `${at}.versions[${i}]`);
    if (version['status'] === 'unaffected' && typeof version['version'] === 'string') unaffected.push(version['version']);
  }
  return { ref, unaffected };
}
