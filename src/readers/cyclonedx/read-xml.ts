import type { Report } from '../../model/report.ts';
import { fieldError } from '../fields.ts';
import { attr, child, children, textOf, type XmlNode } from '../xml.ts';
import { qualifiedName } from './read.ts';
import { toReport, type CdxComponent, type CdxRating, type CdxVulnerability } from './normalize.ts';

const VULNERABILITY_EXTENSION = 'cyclonedx.org/schema/ext/vulnerability';

/**
 * CycloneDX XML: the 1.4+ top-level `<vulnerabilities>` and the older vulnerability extension
 * (`v:vulnerabilities` inside each component, grype ≤ 0.7). Namespace prefixes are removed by the parser.
 */
export function readCycloneDxXml(file: string, bom: XmlNode, text: string): Report {
  const topLevel = child(bom, 'vulnerabilities');
  if (topLevel === undefined && !text.includes(VULNERABILITY_EXTENSION)) {
    throw fieldError(file, 'bom/vulnerabilities', 'vulnerabilities: a CycloneDX BOM without vulnerabilities is an SBOM, not a scan report');
  }
  const metadata = child(bom, 'metadata');
  const tool = readTool(metadata);
  const components: CdxComponent[] = [];
  const vulnerabilities: CdxVulnerability[] = [];
  collectComponents(file, child(bom, 'components'), 'bom/components', components, vulnerabilities);
  for (const [v, vuln] of children(topLevel, 'vulnerability').entries()) {
    vulnerabilities.push(readVulnerability(file, vuln, `bom/vulnerabilities/vulnerability[${v + 1}]`, undefined));
  }
  const metadataComponent = child(metadata, 'component');
  return toReport(file, {
    format: 'cyclonedx-xml',
    tool: tool.name,
    ...(tool.version === undefined ? {} : { toolVersion: tool.version }),
    ...(metadataComponent === undefined ? {} : { metadataComponent: readComponent(file, metadataComponent, 'bom/metadata/component') }),
    components,
    vulnerabilities,
  });
}

function readTool(metadata: unknown): { name: string; version?: string } {
  const tools = child(metadata, 'tools');
  const first = child(tools, 'tool') ?? child(child(tools, 'components'), 'component');
  const name = textOf(child(first, 'name'));
  if (name === undefined) return { name: 'cyclonedx' };
  const version = textOf(child(first, 'version'));
  return version === undefined ? { name: name.toLowerCase() } : { name: name.toLowerCase(), version };
}

function collectComponents(file: string, node: unknown, at: string, out: CdxComponent[], vulnerabilities: CdxVulnerability[]): void {
  for (const [c, item] of children(node, 'component').entries()) {
    const where = `${at}/component[${c + 1}]`;
    const component = readComponent(file, item, where);
    out.push(component);
    for (const [v, vuln] of children(child(item, 'vulnerabilities'), 'vulnerability').entries()) {
      vulnerabilities.push(readVulnerability(file, vuln, `${where}/vulnerabilities/vulnerability[${v + 1}]`, component));
    }
    collectComponents(file, child(item, 'components'), `${where}/components`, out, vulnerabilities);
  }
}

function readComponent(file: string, node: unknown, at: string): CdxComponent {
  const name = textOf(child(node, 'name'));
  if (name === undefined || name === '') throw fieldError(file, `${at}/name`, 'a component name');
  const purl = textOf(child(node, 'purl'));
  const properties = new Map<string, string[]>();
  for (const property of children(child(node, 'properties'), 'property')) {
    const key = attr(property, 'name');
    if (key === undefined) continue;
    const values = properties.get(key) ?? [];
    values.push(textOf(property) ?? '');
    properties.set(key, values);
  }
  const licenses: string[] = [];
  for (const license of children(child(node, 'licenses'), 'license')) {
    const id = textOf(child(license, 'id')) ?? textOf(child(license, 'name'));
    if (id !== undefined) licenses.push(id);
  }
  for (const expression of children(child(node, 'licenses'), 'expression')) {
    const text = textOf(expression);
    if (text !== undefined) licenses.push(text);
  }
  const component: CdxComponent = {
    type: attr(node, 'type') ?? 'library',
    name: qualifiedName(name, textOf(child(node, 'group')), purl),
    version: textOf(child(node, 'version')) ?? '',
    licenses,
    properties,
  };
  const ref = attr(node, 'bom-ref');
  if (ref !== undefined) component.ref = ref;
  if (purl !== undefined) component.purl = purl;
  return component;
}

function readVulnerability(file: string, node: unknown, at: string, owner: CdxComponent | undefined): CdxVulnerability {
  const id = textOf(child(node, 'id'));
  if (id === undefined || id === '') throw fieldError(file, `${at}/id`, 'a vulnerability ID');
  const ratings: CdxRating[] = [];
  for (const [r, rating] of children(child(node, 'ratings'), 'rating').entries()) {
    const result: CdxRating = {};
    const severity = textOf(child(rating, 'severity'));
    if (severity !== undefined) result.severity = severity;
    // Extension 1.0: <score><base>; 1.4+: <score> is the number.
    const scoreNode = child(rating, 'score');
    const scoreText = textOf(child(scoreNode, 'base')) ?? textOf(scoreNode);
    if (scoreText !== undefined && scoreText !== '') {
      const score = Number(scoreText);
      if (!Number.isFinite(score)) throw fieldError(file, `${at}/ratings/rating[${r + 1}]/score`, 'a number', scoreText);
      result.score = score;
    }
    const method = textOf(child(rating, 'method'));
    if (method !== undefined) result.method = method;
    const vector = textOf(child(rating, 'vector'));
    if (vector !== undefined) result.vector = vector;
    const source = textOf(child(child(rating, 'source'), 'name')) ?? attr(child(rating, 'source'), 'name');
    if (source !== undefined) result.source = source;
    ratings.push(result);
  }
  const vulnerability: CdxVulnerability = { at, id, ratings, affects: [], aliases: [], properties: new Map() };
  if (owner !== undefined) {
    vulnerability.affects.push({ component: owner, unaffected: [] });
  } else {
    for (const target of children(child(node, 'affects'), 'target')) {
      const ref = textOf(child(target, 'ref'));
      const unaffected: string[] = [];
      for (const version of children(child(target, 'versions'), 'version')) {
        if (textOf(child(version, 'status')) === 'unaffected') {
          const value = textOf(child(version, 'version'));
          if (value !== undefined) unaffected.push(value);
        }
      }
      vulnerability.affects.push(ref === undefined ? { unaffected } : { ref, unaffected });
    }
  }
  const sourceName = textOf(child(child(node, 'source'), 'name'));
  if (sourceName !== undefined && sourceName !== '') vulnerability.source = sourceName;
  const url = textOf(child(child(node, 'source'), 'url'));
  if (url !== undefined) vulnerability.url = url;
  const recommendation = textOf(child(node, 'recommendation'));
  if (recommendation !== undefined) vulnerability.recommendation = recommendation;
  const state = textOf(child(child(node, 'analysis'), 'state'));
  if (state !== undefined) vulnerability.state = state;
  return vulnerability;
}
