import { readSeverity, severityRank, type FindingSeverity } from '../../model/severity.ts';
import type { Cvss, ImageIdentity, OsInfo, Package, Report, Vulnerability } from '../../model/report.ts';
import { emptyFindings, fieldError } from '../fields.ts';

/**
 * The parts of a CycloneDX document (JSON or XML) a verdict needs, read by the two front ends
 * (read.ts, read-xml.ts) into one shape and turned into a Report here.
 */
export interface CdxComponent {
  ref?: string;
  type: string;
  name: string;
  version: string;
  purl?: string;
  licenses: string[];
  properties: Map<string, string[]>;
}

export interface CdxRating {
  severity?: string;
  score?: number;
  method?: string;
  vector?: string;
  source?: string;
}

export interface CdxAffect {
  /** The bom-ref of the affected component, or the component itself (XML vulnerability extension). */
  ref?: string;
  component?: CdxComponent;
  /** Versions the document states as `unaffected` (a fix). */
  unaffected: string[];
}

export interface CdxVulnerability {
  /** JSON path or XML description of where it is, for errors. */
  at: string;
  id: string;
  ratings: CdxRating[];
  affects: CdxAffect[];
  aliases: string[];
  url?: string;
  title?: string;
  recommendation?: string;
  state?: string;
  /** `source.name`: for Trivy, the data source the vulnerability was matched from (`debian`, `ghsa`, …). */
  source?: string;
  /** `published` (ISO time, normalized). */
  published?: string;
  properties: Map<string, string[]>;
}

export interface CdxDocument {
  format: 'cyclonedx-json' | 'cyclonedx-xml';
  tool: string;
  toolVersion?: string;
  metadataComponent?: CdxComponent;
  /** `metadata.timestamp` (ISO time, normalized): when the BOM was made. */
  timestamp?: string;
  components: CdxComponent[];
  vulnerabilities: CdxVulnerability[];
}

/** CycloneDX rating methods → CVSS versions. */
const METHOD_VERSION: Readonly<Record<string, string>> = { CVSSv2: '2.0', CVSSv3: '3.0', CVSSv31: '3.1', CVSSv4: '4.0', CVSSv40: '4.0' };

export function toReport(file: string, cdx: CdxDocument): Report {
  // A BOM lists the image's components, vulnerable or not.
  const report: Report = { path: file, format: cdx.format, tool: cdx.tool, ...emptyFindings(), listsAllPackages: true };
  if (cdx.toolVersion !== undefined) report.toolVersion = cdx.toolVersion;
  if (cdx.timestamp !== undefined) report.scannedAt = cdx.timestamp;
  const image = readImage(cdx.metadataComponent);
  if (image !== undefined) report.image = image;
  const byRef = new Map<string, CdxComponent>();
  for (const component of cdx.components) {
    if (component.ref !== undefined) byRef.set(component.ref, component);
    if (component.type === 'operating-system') {
      if (report.os === undefined) report.os = readOs(component);
      continue;
    }
    if (component.version === '' || component.type === 'container' || component.type === 'file') continue;
    const pkg: Package = { name: component.name, version: component.version, type: packageType(component), licenses: component.licenses };
    if (component.purl?.startsWith('pkg:')) pkg.purl = component.purl;
    report.packages.push(pkg);
  }
  for (const vuln of cdx.vulnerabilities) {
    if (vuln.affects.length === 0) throw fieldError(file, `${vuln.at}.affects`, 'at least one affected component');
    const ratings = readRatings(vuln.ratings);
    const cvss = ratings.cvss;
    const severity = (isTrivy(cdx.tool) ? trivySeverity(vuln) : undefined) ?? ratings.severity;
    for (let a = 0; a < vuln.affects.length; a += 1) {
      const affect = vuln.affects[a]!;
      const component = affect.component ?? (affect.ref === undefined ? undefined : (byRef.get(affect.ref) ?? componentFromPurl(affect.ref)));
      if (component === undefined) {
        throw fieldError(file, `${vuln.at}.affects[${a}].ref`, 'the bom-ref of a component in this document', affect.ref);
      }
      const vulnerability: Vulnerability = {
        id: vuln.id,
        aliases: vuln.aliases.filter((alias) => alias !== vuln.id),
        package: component.name,
        packageType: packageType(component),
        installedVersion: component.version,
        severity,
        cvss: cvss.map((score) => ({ ...score })),
      };
      const fixed = affect.unaffected[0] ?? vuln.properties.get('aquasecurity:trivy:FixedVersion')?.[0] ?? trivyRecommendation(cdx.tool, vuln.recommendation);
      if (fixed !== undefined && fixed !== '') vulnerability.fixedVersion = fixed;
      if (vuln.state !== undefined) vulnerability.status = vuln.state;
      if (vuln.title !== undefined) vulnerability.title = vuln.title;
      if (vuln.url !== undefined) vulnerability.url = vuln.url;
      if (component.purl?.startsWith('pkg:')) vulnerability.purl = component.purl;
      if (vuln.published !== undefined) vulnerability.published = vuln.published;
      report.vulnerabilities.push(vulnerability);
    }
  }
  return report;
}

/** The highest severity any rating gives (fail closed; Trivy's choice comes first, see trivySeverity), and every rating with a CVSS method and score. */
function readRatings(ratings: CdxRating[]): { severity: FindingSeverity; cvss: Cvss[] } {
  let severity: FindingSeverity = 'unknown';
  const cvss: Cvss[] = [];
  for (const rating of ratings) {
    const rated = readSeverity(rating.severity);
    if (severityRank(rated) > severityRank(severity)) severity = rated;
    const version = rating.method === undefined ? undefined : METHOD_VERSION[rating.method];
    if (version !== undefined && rating.score !== undefined) {
      const score: Cvss = { version, score: rating.score, source: rating.source ?? 'unknown' };
      if (rating.vector !== undefined && rating.vector !== '') score.vector = rating.vector;
      cvss.push(score);
    }
  }
  return { severity, cvss };
}

function isTrivy(tool: string): boolean {
  return tool.toLowerCase() === 'trivy';
}

/**
 * The severity Trivy's own JSON gives (its `Severity`): the rating of the data source's vendor, for
 * a GHSA ID GitHub's, else NVD's; `undefined` when none of them rated it (then the highest rating
 * counts, fail closed). Trivy writes a vendor's severity on its rating without a method, or on its
 * CVSS v3/v4 rating; a v2 rating's severity comes from the v2 score, so it is the last resort.
 */
function trivySeverity(vuln: CdxVulnerability): FindingSeverity | undefined {
  const sources = [vuln.source, vuln.id.startsWith('GHSA-') ? 'ghsa' : undefined, 'nvd'];
  for (const source of sources) {
    if (source === undefined) continue;
    const rated = vuln.ratings.filter((rating) => rating.source === source && readSeverity(rating.severity) !== 'unknown');
    const preferred = rated.find((rating) => rating.method === undefined) ?? rated.find((rating) => rating.method !== 'CVSSv2') ?? rated[0];
    if (preferred !== undefined) return readSeverity(preferred.severity);
  }
  return undefined;
}

/** Trivy writes `Upgrade <pkg> to version <fixed>` exactly when the vulnerability has a fixed version. */
function trivyRecommendation(tool: string, recommendation: string | undefined): string | undefined {
  if (tool !== 'trivy' || recommendation === undefined) return undefined;
  const marker = ' to version ';
  const at = recommendation.lastIndexOf(marker);
  return recommendation.startsWith('Upgrade ') && at > 0 ? recommendation.slice(at + marker.length).trim() : undefined;
}

function readImage(component: CdxComponent | undefined): ImageIdentity | undefined {
  if (component === undefined || component.type !== 'container') return undefined;
  const repoTags = component.properties.get('aquasecurity:trivy:RepoTag') ?? [];
  const repoDigests = component.properties.get('aquasecurity:trivy:RepoDigest') ?? [];
  const identity: ImageIdentity = { repoTags, repoDigests };
  const name = repoTags[0] ?? (/\.(tar|tar\.gz|tgz)$/.test(component.name) ? undefined : component.name);
  if (name !== undefined && name !== '') identity.name = name;
  const firstDigest = repoDigests[0];
  const digest = firstDigest !== undefined && firstDigest.includes('@') ? firstDigest.slice(firstDigest.lastIndexOf('@') + 1) : undefined;
  // Grype (syft) puts the manifest digest in the container component's version.
  if (digest !== undefined) identity.digest = digest;
  else if (component.version.startsWith('sha256:')) identity.digest = component.version;
  const imageId = component.properties.get('aquasecurity:trivy:ImageID')?.[0];
  if (imageId !== undefined && imageId !== '') identity.imageId = imageId;
  return identity.name === undefined && identity.digest === undefined && identity.imageId === undefined ? undefined : identity;
}

function readOs(component: CdxComponent): OsInfo {
  return { family: component.name, name: component.version, eol: false };
}

function packageType(component: CdxComponent): string {
  const declared =
    component.properties.get('aquasecurity:trivy:PkgType')?.[0] ?? component.properties.get('syft:package:type')?.[0];
  if (declared !== undefined) return declared;
  if (component.purl?.startsWith('pkg:')) {
    const slash = component.purl.indexOf('/');
    if (slash > 4) return component.purl.slice(4, slash);
  }
  return component.type;
}

/** A ref that is a purl (`pkg:deb/debian/bash@5.0-4?…`) names its package even without a component. */
function componentFromPurl(ref: string): CdxComponent | undefined {
  if (!ref.startsWith('pkg:')) return undefined;
  const end = ref.search(/[?#]/);
  const base = end < 0 ? ref : ref.slice(0, end);
  const at = base.lastIndexOf('@');
  const slash = base.lastIndexOf('/');
  if (at < 0 || at < slash) return undefined;
  return {
    type: 'library',
    name: decodeURIComponent(base.slice(slash + 1, at)),
    version: decodeURIComponent(base.slice(at + 1)),
    purl: ref,
    licenses: [],
    properties: new Map(),
  };
}
