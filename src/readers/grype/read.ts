import { readSeverity } from '../../model/severity.ts';
import type { Cvss, ImageConfig, ImageIdentity, OsInfo, Package, Report, Vulnerability } from '../../model/report.ts';
import {
  cvssVersionOf,
  digestOf,
  emptyFindings,
  fieldError,
  isObject,
  optionalLabels,
  optionalObject,
  optionalString,
  optionalStringArray,
  optionalTime,
  requireArray,
  type JsonObject,
} from '../fields.ts';

/**
 * Grype JSON, the current shape (`vulnerability.cvss[]`, `fix {state, versions}`,
 * `relatedVulnerabilities[]`) and the old one (grype ≤ 0.7: `cvssV2`/`cvssV3`, `fixedInVersion`,
 * `links`). One pass over `matches`, then one over `ignoredMatches`: scanner-side ignores waive nothing.
 */
export function readGrypeJson(file: string, doc: JsonObject): Report {
  const matches = requireArray(file, doc['matches'], 'matches');
  const descriptor = isObject(doc['descriptor']) ? doc['descriptor'] : undefined;
  const toolVersion = typeof descriptor?.['version'] === 'string' ? descriptor['version'] : undefined;
  const report: Report = {
    path: file,
    format: 'grype-json',
    tool: 'grype',
    ...(toolVersion === undefined ? {} : { toolVersion }),
    ...emptyFindings(),
  };
  const scannedAt = optionalTime(file, descriptor?.['timestamp'], 'descriptor.timestamp');
  if (scannedAt !== undefined) report.scannedAt = scannedAt;
  const source = optionalObject(file, doc['source'], 'source');
  if (source?.['type'] === 'image') {
    const target = optionalObject(file, source['target'], 'source.target');
    if (target !== undefined) {
      report.image = readImage(file, target);
      const config = readConfig(file, target);
      if (config !== undefined) report.config = config;
    }
  }
  const os = readDistro(file, doc['distro']);
  if (os !== undefined) report.os = os;

  const packages = new Map<string, Package>();
  for (let m = 0; m < matches.length; m += 1) {
    const match = matches[m];
    if (!isObject(match)) throw fieldError(file, `matches[${m}]`, 'an object', match);
    report.vulnerabilities.push(readMatch(file, match, `matches[${m}]`, packages));
  }
  // A match that `.grype.yaml` (or --only-fixed, a VEX document) told Grype to ignore is still a
  // finding: a pull request can edit that file, so waivers belong in the policy's exceptions.
  const ignored = doc['ignoredMatches'] === undefined || doc['ignoredMatches'] === null ? [] : requireArray(file, doc['ignoredMatches'], 'ignoredMatches');
  for (let i = 0; i < ignored.length; i += 1) {
    const match = ignored[i];
    if (!isObject(match)) throw fieldError(file, `ignoredMatches[${i}]`, 'an object', match);
    report.vulnerabilities.push(readMatch(file, match, `ignoredMatches[${i}]`, packages));
  }
  for (const pkg of packages.values()) report.packages.push(pkg);
  return report;
}

function readImage(file: string, target: JsonObject): ImageIdentity {
  const name = optionalString(file, target['userInput'], 'source.target.userInput');
  const imageId = optionalString(file, target['imageID'], 'source.target.imageID');
  const manifestDigest = optionalString(file, target['manifestDigest'], 'source.target.manifestDigest');
  const repoTags = optionalStringArray(file, target['tags'], 'source.target.tags');
  const repoDigests = optionalStringArray(file, target['repoDigests'], 'source.target.repoDigests');
  // RepoDigests are what `docker inspect` and Trivy give; the manifest digest is the fallback.
  const digest = (repoDigests.length > 0 ? digestOf(repoDigests[0]!) : undefined) ?? (manifestDigest === '' ? undefined : manifestDigest);
  const identity: ImageIdentity = { repoTags, repoDigests };
  if (name !== undefined && name !== '') identity.name = name;
  if (digest !== undefined) identity.digest = digest;
  if (imageId !== undefined && imageId !== '') identity.imageId = imageId;
  return identity;
}

/** `source.target.config` is the base64-encoded image config JSON; User and Labels come from there. */
function readConfig(file: string, target: JsonObject): ImageConfig | undefined {
  const encoded = optionalString(file, target['config'], 'source.target.config');
  if (encoded === undefined || encoded === '') return undefined;
  let decoded: unknown;
  try {
    const bytes = Buffer.from(encoded, 'base64');
    decoded = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(new Uint8Array(bytes.buffer, bytes.byteOffset, bytes.byteLength))) as unknown;
  } catch (error) {
    throw fieldError(file, 'source.target.config', 'the base64-encoded image config JSON', `undecodable content (${(error as Error).name})`);
  }
  if (!isObject(decoded)) throw fieldError(file, 'source.target.config', 'the base64-encoded image config JSON object', decoded);
  const config = optionalObject(file, decoded['config'], 'source.target.config (decoded).config');
  if (config === undefined) return undefined;
  const user = optionalString(file, config['User'], 'source.target.config (decoded).config.User');
  const labels =
    config['Labels'] === undefined || config['Labels'] === null
      ? optionalLabels(file, target['labels'], 'source.target.labels')
      : optionalLabels(file, config['Labels'], 'source.target.config (decoded).config.Labels');
  return user === undefined ? { labels } : { user, labels };
}

function readDistro(file: string, value: unknown): OsInfo | undefined {
  const distro = optionalObject(file, value, 'distro');
  if (distro === undefined) return undefined;
  const family = optionalString(file, distro['name'], 'distro.name') ?? '';
  const name = optionalString(file, distro['version'], 'distro.version') ?? '';
  if (family === '' && name === '') return undefined;
  return { family, name, eol: false };
}

function readMatch(file: string, match: JsonObject, at: string, packages: Map<string, Package>): Vulnerability {
  const vuln = match['vulnerability'];
  if (!isObject(vuln)) throw fieldError(file, `${at}.vulnerability`, 'an object', vuln);
  const artifact = match['artifact'];
  if (!isObject(artifact)) throw fieldError(file, `${at}.artifact`, 'an object', artifact);
  const id = vuln['id'];
  if (typeof id !== 'string' || id === '') throw fieldError(file, `${at}.vulnerability.id`, 'a string', id);
  const severity = vuln['severity'];
  if (severity !== undefined && severity !== null && typeof severity !== 'string') {
    throw fieldError(file, `${at}.vulnerability.severity`, 'a string', severity);
  }
  const name = artifact['name'];
  if (typeof name !== 'string' || name === '') throw fieldError(file, `${at}.artifact.name`, 'a string', name);
  let version = artifact['version'];
  if (version === undefined) version = '';
  else if (typeof version !== 'string') throw fieldError(file, `${at}.artifact.version`, 'a string', version);
  const type = typeof artifact['type'] === 'string' ? artifact['type'] : '';

  const cvss: Cvss[] = [];
  const namespace = typeof vuln['namespace'] === 'string' ? vuln['namespace'] : 'grype';
  readCvssList(file, vuln['cvss'], `${at}.vulnerability.cvss`, namespace, cvss);
  readOldCvss(file, vuln, `${at}.vulnerability`, cvss);

  const vulnerability: Vulnerability = {
    id,
    aliases: [],
    package: name,
    packageType: type,
    installedVersion: version as string,
    severity: readSeverity(severity),
    cvss,
  };
  readFix(file, vuln, at, vulnerability);

  const advisories = vuln['advisories'];
  if (Array.isArray(advisories)) {
    for (const advisory of advisories) {
      const alias = isObject(advisory) ? advisory['id'] : undefined;
      if (typeof alias === 'string' && alias !== '' && alias !== id && !vulnerability.aliases.includes(alias)) vulnerability.aliases.push(alias);
    }
  }
  const related = match['relatedVulnerabilities'];
  if (related !== undefined && related !== null) {
    if (!Array.isArray(related)) throw fieldError(file, `${at}.relatedVulnerabilities`, 'an array', related);
    for (let i = 0; i < related.length; i += 1) {
      const item = related[i];
      if (!isObject(item)) throw fieldError(file, `${at}.relatedVulnerabilities[${i}]`, 'an object', item);
      const alias = item['id'];
      if (typeof alias !== 'string' || alias === '') throw fieldError(file, `${at}.relatedVulnerabilities[${i}].id`, 'a string', alias);
      if (alias !== id && !vulnerability.aliases.includes(alias)) vulnerability.aliases.push(alias);
      const relatedNamespace = typeof item['namespace'] === 'string' ? item['namespace'] : namespace;
      readCvssList(file, item['cvss'], `${at}.relatedVulnerabilities[${i}].cvss`, relatedNamespace, cvss);
    }
  }

  const url = typeof vuln['dataSource'] === 'string' && vuln['dataSource'] !== '' ? vuln['dataSource'] : firstString(vuln['urls']) ?? firstString(vuln['links']);
  if (url !== undefined) vulnerability.url = url;
  const locations = artifact['locations'];
  const location = Array.isArray(locations) && isObject(locations[0]) ? locations[0]['path'] : undefined;
  if (typeof location === 'string' && location !== '') vulnerability.path = location;
  const purl = artifact['purl'];
  if (typeof purl === 'string' && purl.startsWith('pkg:')) vulnerability.purl = purl;

  const key = `${type}\u0000${name}\u0000${version as string}`;
  if (!packages.has(key)) {
    packages.set(key, {
      name,
      version: version as string,
      type,
      licenses: readLicenses(file, artifact['licenses'], at),
      ...(vulnerability.path === undefined ? {} : { path: vulnerability.path }),
      ...(vulnerability.purl === undefined ? {} : { purl: vulnerability.purl }),
    });
  }
  return vulnerability;
}

function readFix(file: string, vuln: JsonObject, at: string, out: Vulnerability): void {
  const fix = vuln['fix'];
  if (fix !== undefined && fix !== null) {
    if (!isObject(fix)) throw fieldError(file, `${at}.vulnerability.fix`, 'an object', fix);
    const state = fix['state'];
    if (state !== undefined && typeof state !== 'string') throw fieldError(file, `${at}.vulnerability.fix.state`, 'a string', state);
    const versions = optionalStringArray(file, fix['versions'], `${at}.vulnerability.fix.versions`);
    if (state !== undefined && state !== '') out.status = state;
    if (state === 'fixed' && versions.length > 0) out.fixedVersion = versions.join(', ');
    return;
  }
  // grype ≤ 0.7: `fixedInVersion` when a fix exists.
  const fixedIn = vuln['fixedInVersion'];
  if (fixedIn === undefined || fixedIn === null) return;
  if (typeof fixedIn !== 'string') throw fieldError(file, `${at}.vulnerability.fixedInVersion`, 'a string', fixedIn);
  if (fixedIn !== '') {
    out.fixedVersion = fixedIn;
    out.status = 'fixed';
  }
}

function readCvssList(file: string, value: unknown, jsonPath: string, namespace: string, out: Cvss[]): void {
  if (value === undefined || value === null) return;
  if (!Array.isArray(value)) throw fieldError(file, jsonPath, 'an array', value);
  for (let c = 0; c < value.length; c += 1) {
    const entry = value[c];
    if (!isObject(entry)) throw fieldError(file, `${jsonPath}[${c}]`, 'an object', entry);
    const metrics = entry['metrics'];
    if (!isObject(metrics)) throw fieldError(file, `${jsonPath}[${c}].metrics`, 'an object', metrics);
    const score = metrics['baseScore'];
    if (typeof score !== 'number') throw fieldError(file, `${jsonPath}[${c}].metrics.baseScore`, 'a number', score);
    const vector = typeof entry['vector'] === 'string' && entry['vector'] !== '' ? entry['vector'] : undefined;
    const declared = entry['version'];
    if (declared !== undefined && typeof declared !== 'string') throw fieldError(file, `${jsonPath}[${c}].version`, 'a string', declared);
    const version = declared === undefined || declared === '' ? cvssVersionOf(vector, vector === undefined ? 'unknown' : '2.0') : declared;
    const source = typeof entry['source'] === 'string' && entry['source'] !== '' ? entry['source'] : namespace;
    out.push(vector === undefined ? { version, score, source } : { version, score, source, vector });
  }
}

/** grype ≤ 0.7: `cvssV2 {baseScore, vector}`, `cvssV3 {baseScore, vector}`; a `baseScore: 0` with no vector means none. */
function readOldCvss(file: string, vuln: JsonObject, jsonPath: string, out: Cvss[]): void {
  for (const key of ['cvssV2', 'cvssV3'] as const) {
    const entry = vuln[key];
    if (entry === undefined || entry === null) continue;
    if (!isObject(entry)) throw fieldError(file, `${jsonPath}.${key}`, 'an object', entry);
    const score = entry['baseScore'];
    if (typeof score !== 'number') throw fieldError(file, `${jsonPath}.${key}.baseScore`, 'a number', score);
    const vector = typeof entry['vector'] === 'string' && entry['vector'] !== '' ? entry['vector'] : undefined;
    if (vector === undefined && score === 0) continue;
    const version = key === 'cvssV2' ? '2.0' : cvssVersionOf(vector, '3.0');
    out.push(vector === undefined ? { version, score, source: 'grype' } : { version, score, source: 'grype', vector });
  }
}

/** Licenses are strings (older grype) or `{value, spdxExpression}` objects (newer). */
function readLicenses(file: string, value: unknown, at: string): string[] {
  if (value === undefined || value === null) return [];
  if (!Array.isArray(value)) throw fieldError(file, `${at}.artifact.licenses`, 'an array', value);
  const licenses: string[] = [];
  for (let i = 0; i < value.length; i += 1) {
    const item = value[i];
    if (typeof item === 'string') licenses.push(item);
    else if (isObject(item) && typeof item['spdxExpression'] === 'string' && item['spdxExpression'] !== '') licenses.push(item['spdxExpression']);
    else if (isObject(item) && typeof item['value'] === 'string') licenses.push(item['value']);
    else throw fieldError(file, `${at}.artifact.licenses[${i}]`, 'a string or a license object', item);
  }
  return licenses;
}

function firstString(value: unknown): string | undefined {
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined;
}
