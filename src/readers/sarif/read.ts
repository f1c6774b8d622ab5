import { readSeverity, type FindingSeverity } from '../../model/severity.ts';
import type { Check, CheckStatus, Cvss, ImageIdentity, Report, Secret, Vulnerability } from '../../model/report.ts';
import {
  digestOf,
  emptyFindings,
  fieldError,
  isObject,
  optionalArray,
  optionalObject,
  optionalString,
  requireArray,
  requireObject,
  requireString,
  type JsonObject,
} from '../fields.ts';

/** Tools whose SARIF results are vulnerabilities (ruleId = CVE) rather than checks. */
const VULNERABILITY_TOOLS = new Set(['trivy', 'grype']);

/**
 * SARIF 2.1.0. Trivy's and Grype's SARIF are vulnerability reports: the rule is the CVE and the
 * message (Trivy) or the rule's help text (Grype) carries Package / Installed Version / Fixed
 * Version. Every other tool's results (Dockle, hadolint, …) become failed checks.
 */
export function readSarif(file: string, doc: JsonObject): Report {
  if (doc['version'] !== '2.1.0') throw fieldError(file, 'version', 'SARIF "2.1.0"', doc['version']);
  const runs = requireArray(file, doc['runs'], 'runs');
  const report: Report = { path: file, format: 'sarif', tool: 'sarif', ...emptyFindings() };
  const tools: string[] = [];
  for (let r = 0; r < runs.length; r += 1) {
    const run = requireObject(file, runs[r], `runs[${r}]`);
    const tool = requireObject(file, run['tool'], `runs[${r}].tool`);
    const driver = requireObject(file, tool['driver'], `runs[${r}].tool.driver`);
    const toolName = requireString(file, driver['name'], `runs[${r}].tool.driver.name`).toLowerCase();
    if (!tools.includes(toolName)) tools.push(toolName);
    const version = driver['version'] ?? driver['semanticVersion'];
    if (typeof version === 'string' && report.toolVersion === undefined) report.toolVersion = version;
    readRun(file, run, r, toolName, report, optionalArray(file, driver['rules'], `runs[${r}].tool.driver.rules`));
  }
  if (tools.length > 0) report.tool = tools.join(',');
  return report;
}

function readRun(file: string, run: JsonObject, r: number, toolName: string, report: Report, rules: readonly unknown[]): void {
  const rulesById = new Map<string, JsonObject>();
  for (let i = 0; i < rules.length; i += 1) {
    const rule = requireObject(file, rules[i], `runs[${r}].tool.driver.rules[${i}]`);
    rulesById.set(requireString(file, rule['id'], `runs[${r}].tool.driver.rules[${i}].id`), rule);
  }
  const results = optionalArray(file, run['results'], `runs[${r}].results`);
  const isVulnerabilityTool = VULNERABILITY_TOOLS.has(toolName);
  for (let i = 0; i < results.length; i += 1) {
    const at = `runs[${r}].results[${i}]`;
    const result = requireObject(file, results[i], at);
    const rule = findRule(file, result, at, rules, rulesById);
    const ruleId = typeof result['ruleId'] === 'string' && result['ruleId'] !== '' ? result['ruleId'] : (rule?.['id'] as string | undefined);
    if (ruleId === undefined) throw fieldError(file, `${at}.ruleId`, 'a string', result['ruleId']);
    const tags = ruleTags(rule);
    if (isVulnerabilityTool && (toolName === 'grype' || tags.includes('vulnerability'))) {
      report.vulnerabilities.push(readVulnerability(file, result, at, ruleId, rule, toolName));
    } else if (toolName === 'trivy' && tags.includes('secret')) {
      report.secrets.push(readSecret(file, result, at, ruleId, rule));
    } else {
      report.checks.push(readCheck(file, result, at, ruleId, rule, toolName));
    }
  }
  if (report.image === undefined && isVulnerabilityTool) {
    const image = toolName === 'trivy' ? readTrivyImage(file, run, r, results, rulesById) : readGrypeImage(results);
    if (image !== undefined) report.image = image;
  }
}

function findRule(file: string, result: JsonObject, at: string, rules: readonly unknown[], byId: Map<string, JsonObject>): JsonObject | undefined {
  const index = result['ruleIndex'];
  if (typeof index === 'number') {
    const rule = rules[index];
    if (!isObject(rule)) throw fieldError(file, `${at}.ruleIndex`, `an index into the run's ${rules.length} rules`, index);
    return rule;
  }
  return typeof result['ruleId'] === 'string' ? byId.get(result['ruleId']) : undefined;
}

function ruleTags(rule: JsonObject | undefined): string[] {
  const properties = isObject(rule?.['properties']) ? rule['properties'] : undefined;
  const tags = properties?.['tags'];
  return Array.isArray(tags) ? tags.filter((tag): tag is string => typeof tag === 'string') : [];
}

/** `Key: value` lines of a text block, e.g. Trivy's `Package: curl\nInstalled Version: 7.61.0-r0`. */
function textFields(text: string | undefined): Map<string, string> {
  const fields = new Map<string, string>();
  if (text === undefined) return fields;
  for (const line of text.split('\n')) {
    const colon = line.indexOf(': ');
    if (colon > 0) {
      const key = line.slice(0, colon).trim();
      if (!fields.has(key)) fields.set(key, line.slice(colon + 2).trim());
    }
  }
  return fields;
}

function messageText(file: string, result: JsonObject, at: string): string | undefined {
  const message = optionalObject(file, result['message'], `${at}.message`);
  return optionalString(file, message?.['text'], `${at}.message.text`);
}

function helpText(rule: JsonObject | undefined): string | undefined {
  const help = isObject(rule?.['help']) ? rule['help'] : undefined;
  return typeof help?.['text'] === 'string' ? help['text'] : undefined;
}

/** `security-severity` (a CVSS-like score as a string): ≥9 critical, ≥7 high, ≥4 medium, >0 low. */
export function severityFromScore(score: number): FindingSeverity {
  if (score >= 9) return 'critical';
  if (score >= 7) return 'high';
  if (score >= 4) return 'medium';
  if (score > 0) return 'low';
  return 'unknown';
}

function securitySeverity(file: string, rule: JsonObject | undefined, at: string): number | undefined {
  const properties = isObject(rule?.['properties']) ? rule['properties'] : undefined;
  const raw = properties?.['security-severity'];
  if (raw === undefined) return undefined;
  const score = typeof raw === 'number' ? raw : typeof raw === 'string' ? Number(raw) : Number.NaN;
  if (!Number.isFinite(score)) throw fieldError(file, `${at} rule properties.security-severity`, 'a number', raw);
  return score;
}

const LEVEL_SEVERITY: Readonly<Record<string, FindingSeverity>> = { error: 'high', warning: 'medium', note: 'low', none: 'unknown' };
const KIND_STATUS: Readonly<Record<string, CheckStatus>> = { pass: 'pass', notApplicable: 'skip', informational: 'skip' };

function readCheck(file: string, result: JsonObject, at: string, ruleId: string, rule: JsonObject | undefined, tool: string): Check {
  const score = securitySeverity(file, rule, at);
  let severity: FindingSeverity;
  if (score !== undefined) {
    severity = severityFromScore(score);
  } else {
    const defaults = isObject(rule?.['defaultConfiguration']) ? rule['defaultConfiguration'] : undefined;
    const level = result['level'] ?? defaults?.['level'] ?? 'warning';
    if (typeof level !== 'string' || !(level in LEVEL_SEVERITY)) throw fieldError(file, `${at}.level`, 'error, warning, note or none', level);
    severity = LEVEL_SEVERITY[level]!;
  }
  const kind = result['kind'];
  const check: Check = {
    id: ruleId,
    altIds: [],
    title: ruleTitle(rule) ?? ruleId,
    severity,
    status: typeof kind === 'string' ? (KIND_STATUS[kind] ?? 'fail') : 'fail',
    tool,
  };
  const message = messageText(file, result, at);
  if (message !== undefined) check.message = message;
  const location = firstLocation(result);
  if (location !== undefined) {
    check.location = location;
    check.target = location.path;
  }
  return check;
}

function ruleTitle(rule: JsonObject | undefined): string | undefined {
  const short = isObject(rule?.['shortDescription']) ? rule['shortDescription'] : undefined;
  if (typeof short?.['text'] === 'string' && short['text'] !== '') return short['text'];
  return typeof rule?.['name'] === 'string' ? rule['name'] : undefined;
}

function firstLocation(result: JsonObject): { path: string; line?: number } | undefined {
  const locations = result['locations'];
  if (!Array.isArray(locations)) return undefined;
  for (const location of locations) {
    const physical = isObject(location) && isObject(location['physicalLocation']) ? location['physicalLocation'] : undefined;
    const artifact = isObject(physical?.['artifactLocation']) ? physical['artifactLocation'] : undefined;
    if (typeof artifact?.['uri'] !== 'string') continue;
    const region = isObject(physical?.['region']) ? physical['region'] : undefined;
    const line = region?.['startLine'];
    return typeof line === 'number' ? { path: artifact['uri'], line } : { path: artifact['uri'] };
  }
  return undefined;
}

function readVulnerability(file: string, result: JsonObject, at: string, ruleId: string, rule: JsonObject | undefined, tool: string): Vulnerability {
  const message = messageText(file, result, at);
  const fields = textFields(message);
  for (const [key, value] of textFields(helpText(rule))) if (!fields.has(key)) fields.set(key, value);
  const pkg = fields.get('Package') ?? grypeMessagePackage(message)?.name;
  if (pkg === undefined || pkg === '') throw fieldError(file, `${at}.message.text`, 'a "Package: …" line naming the package');
  const installed = fields.get('Installed Version') ?? fields.get('Version') ?? grypeMessagePackage(message)?.version;
  if (installed === undefined) throw fieldError(file, `${at}.message.text`, 'an "Installed Version: …" line');
  // Grype's rule IDs are `CVE-…-<package>`.
  const id = tool === 'grype' && ruleId.endsWith(`-${pkg}`) ? ruleId.slice(0, -pkg.length - 1) : ruleId;
  let severity = readSeverity(fields.get('Severity'));
  if (severity === 'unknown') {
    const fromTags = ruleTags(rule).map(readSeverity).find((s) => s !== 'unknown');
    const score = securitySeverity(file, rule, at);
    severity = fromTags ?? (score === undefined ? 'unknown' : severityFromScore(score));
  }
  const vulnerability: Vulnerability = {
    id,
    aliases: [],
    package: pkg,
    packageType: fields.get('Type') ?? '',
    installedVersion: installed,
    severity,
    cvss: ruleCvss(rule, tool),
  };
  const fixed = fields.get('Fixed Version') ?? fields.get('Fix Version');
  if (fixed !== undefined && fixed !== '') {
    vulnerability.fixedVersion = fixed;
    vulnerability.status = 'fixed';
  }
  const title = ruleTitle(rule);
  if (title !== undefined) vulnerability.title = title;
  if (typeof rule?.['helpUri'] === 'string') vulnerability.url = rule['helpUri'];
  return vulnerability;
}

/** `A low vulnerability in rpm package: package-1, version 1.1.1 was found in image …` */
function grypeMessagePackage(message: string | undefined): { name: string; version: string } | undefined {
  const match = message === undefined ? null : /package: (\S+), version (\S+) was found/.exec(message);
  return match === null ? undefined : { name: match[1]!, version: match[2]! };
}

/** Trivy writes `cvssv2_score`/`cvssv2_vector` and `cvssv3_baseScore`/`cvssv3_vector` on the rule. */
function ruleCvss(rule: JsonObject | undefined, tool: string): Cvss[] {
  const properties = isObject(rule?.['properties']) ? rule['properties'] : undefined;
  const cvss: Cvss[] = [];
  if (properties === undefined) return cvss;
  const v2 = properties['cvssv2_score'];
  if (typeof v2 === 'number') {
    const vector = properties['cvssv2_vector'];
    cvss.push(typeof vector === 'string' && vector !== '' ? { version: '2.0', score: v2, source: tool, vector } : { version: '2.0', score: v2, source: tool });
  }
  const v3 = properties['cvssv3_baseScore'];
  if (typeof v3 === 'number') {
    const vector = properties['cvssv3_vector'];
    if (typeof vector === 'string' && vector !== '') cvss.push({ version: vector.startsWith('CVSS:3.0/') ? '3.0' : '3.1', score: v3, source: tool, vector });
    else cvss.push({ version: '3.1', score: v3, source: tool });
  }
  return cvss;
}

function readSecret(file: string, result: JsonObject, at: string, ruleId: string, rule: JsonObject | undefined): Secret {
  const fields = textFields(messageText(file, result, at));
  const severity = readSeverity(fields.get('Severity') ?? ruleTags(rule).find((tag) => readSeverity(tag) !== 'unknown'));
  const location = firstLocation(result);
  const secret: Secret = { ruleId, severity, title: ruleTitle(rule) ?? ruleId, target: location?.path ?? '' };
  if (location?.line !== undefined) secret.line = location.line;
  return secret;
}

/** Trivy's run properties (imageName, repoTags, repoDigests, imageID); older Trivy: the OS results' artifact URI. */
function readTrivyImage(file: string, run: JsonObject, r: number, results: readonly unknown[], rules: Map<string, JsonObject>): ImageIdentity | undefined {
  const properties = optionalObject(file, run['properties'], `runs[${r}].properties`);
  if (properties !== undefined && (properties['imageName'] !== undefined || properties['imageID'] !== undefined)) {
    const repoTags = stringList(properties['repoTags']);
    const repoDigests = stringList(properties['repoDigests']);
    const imageName = typeof properties['imageName'] === 'string' ? properties['imageName'] : undefined;
    const name = repoTags[0] ?? (imageName !== undefined && !/\.(tar|tar\.gz|tgz)$/.test(imageName) ? imageName : undefined);
    const identity: ImageIdentity = { repoTags, repoDigests };
    if (name !== undefined && name !== '') identity.name = name;
    const digest = repoDigests[0] === undefined ? undefined : digestOf(repoDigests[0]);
    if (digest !== undefined) identity.digest = digest;
    if (typeof properties['imageID'] === 'string' && properties['imageID'] !== '') identity.imageId = properties['imageID'];
    return identity.name === undefined && identity.digest === undefined && identity.imageId === undefined ? undefined : identity;
  }
  for (const result of results) {
    if (!isObject(result) || typeof result['ruleId'] !== 'string') continue;
    if (rules.get(result['ruleId'])?.['name'] !== 'OsPackageVulnerability') continue;
    const location = firstLocation(result);
    if (location !== undefined && location.path !== '' && !/\.(tar|tar\.gz|tgz)$/.test(location.path)) {
      return { name: location.path, repoTags: [], repoDigests: [] };
    }
  }
  return undefined;
}

/** Grype writes `… was found in image NAME at: …` in each result's message. */
function readGrypeImage(results: readonly unknown[]): ImageIdentity | undefined {
  for (const result of results) {
    const message = isObject(result) && isObject(result['message']) ? result['message']['text'] : undefined;
    const match = typeof message === 'string' ? / was found in image (\S+) at: /.exec(message) : null;
    if (match !== null) return { name: match[1]!, repoTags: [], repoDigests: [] };
  }
  return undefined;
}

function stringList(value: unknown): string[] {
  return Array.isArray(value) ? value.filter((item): item is string => typeof item === 'string' && item !== '') : [];
}
