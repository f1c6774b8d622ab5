import type { FindingSeverity } from './severity.ts';

/**
 * The normalized model every reader produces. Plain interfaces rather than zod schemas: readers
 * build hundreds of thousands of these per report and validate the third-party input themselves
 * (see src/readers), so a second validation pass here would only cost time.
 */

export const REPORT_FORMATS = [
  'trivy-json',
  'grype-json',
  'sarif',
  'cyclonedx-json',
  'cyclonedx-xml',
  'dockle-json',
  'oval-xml',
  'clamav-log',
] as const;
export type ReportFormat = (typeof REPORT_FORMATS)[number];

/** What a report says about the image it describes. Every field is optional: Dockle, OVAL and ClamAV name none. */
export interface ImageIdentity {
  /** The reference as the scanner was given it, e.g. `ghcr.io/acme/api:1.2.3` or `alpine:3.11`. */
  name?: string;
  /** The manifest (repository) digest, `sha256:…`. */
  digest?: string;
  /** The image ID, i.e. the config digest, `sha256:…`. */
  imageId?: string;
  /** `registry/repository:tag` entries the report lists. */
  repoTags: string[];
  /** `registry/repository@sha256:…` entries the report lists. */
  repoDigests: string[];
}

export interface OsInfo {
  family: string;
  name: string;
  /** End of life / end of service (Trivy `EOSL`). */
  eol: boolean;
}

export interface Package {
  name: string;
  version: string;
  /** Ecosystem or package type: `apk`, `deb`, `rpm`, `npm`, `jar`, `gemspec`, `python-pkg`, … */
  type: string;
  /** SPDX IDs or license names as the scanner gives them. */
  licenses: string[];
  /** File path of the package inside the image, for language packages. */
  path?: string;
  /** The package URL (`pkg:deb/debian/bash@5.0-4?arch=amd64`), when the report gives one: VEX matches packages by it. */
  purl?: string;
}

export interface Cvss {
  /** `2.0`, `3.0`, `3.1`, `4.0`. */
  version: string;
  score: number;
  /** Who scored it: `nvd`, `redhat`, `ghsa`, the report's tool, … */
  source: string;
  vector?: string;
}

export interface Vulnerability {
  id: string;
  /** Other IDs for the same vulnerability (CVE ⇄ GHSA ⇄ RHSA …). Never contains `id`. */
  aliases: string[];
  package: string;
  packageType: string;
  installedVersion: string;
  /** Set only when the vulnerability has a fix (SPEC §2): Trivy's non-empty `FixedVersion`, Grype's `fix.state: fixed` with a version. */
  fixedVersion?: string;
  severity: FindingSeverity;
  cvss: Cvss[];
  /** Scanner status, e.g. Trivy `fixed`, `affected`, `will_not_fix`; Grype fix state. */
  status?: string;
  title?: string;
  url?: string;
  /** Where the package was found, for language packages. */
  path?: string;
  /** The package's URL (Trivy `PkgIdentifier.PURL`, Grype `artifact.purl`, CycloneDX `purl`), when the report gives one. */
  purl?: string;
  /** When the vulnerability was published (ISO time), when the report says: attribution's "newly disclosed" without an inventory. */
  published?: string;
}

export interface Secret {
  ruleId: string;
  category?: string;
  severity: FindingSeverity;
  title: string;
  /** File the secret was found in. */
  target: string;
  line?: number;
}

export type CheckStatus = 'fail' | 'pass' | 'skip';

/** A configuration or compliance check (Trivy misconfigurations, Dockle, SARIF results, XCCDF rules). */
export interface Check {
  id: string;
  /** Alternative IDs that match too (Trivy's `AVDID`). */
  altIds: string[];
  title: string;
  severity: FindingSeverity;
  status: CheckStatus;
  /** The tool that ran the check, e.g. `trivy`, `dockle`, `hadolint`. */
  tool: string;
  target?: string;
  message?: string;
  /** For SARIF-borne checks: the file and line the result points at. */
  location?: { path: string; line?: number };
}

export interface LicenseFinding {
  /** SPDX ID or license name. */
  license: string;
  package?: string;
  severity?: FindingSeverity;
  target?: string;
}

export interface Malware {
  signature: string;
  path: string;
}

/** OVAL definition classes (OVAL 5.x). */
export type OvalClass = 'compliance' | 'inventory' | 'miscellaneous' | 'patch' | 'vulnerability';

export interface OvalResult {
  id: string;
  class: OvalClass;
  /** `true`, `false`, `unknown`, `error`, `not evaluated`, `not applicable`. */
  result: string;
  title?: string;
  /** CVE and other references the definition names. */
  refs: string[];
}

export interface ImageConfig {
  /** The config's `User`; `undefined` or `""` means root. */
  user?: string;
  labels: Record<string, string>;
}

export interface Report {
  /** The report's path (inside the artifact, or on disk for the CLI). Its folder groups reports (SPEC §1). */
  path: string;
  format: ReportFormat;
  tool: string;
  toolVersion?: string;
  image?: ImageIdentity;
  os?: OsInfo;
  packages: Package[];
  vulnerabilities: Vulnerability[];
  secrets: Secret[];
  checks: Check[];
  licenses: LicenseFinding[];
  malware: Malware[];
  oval: OvalResult[];
  /** The image config, when the report carries it. `undefined` means this report cannot vouch for the user. */
  config?: ImageConfig;
  /** When the scan ran (ISO time): Trivy `CreatedAt`, Grype `descriptor.timestamp`, CycloneDX `metadata.timestamp`. */
  scannedAt?: string;
  /**
   * True when `packages` lists every package of the image (Trivy `--list-all-pkgs`, a CycloneDX
   * BOM), not only the vulnerable ones (Grype JSON): attribution then knows what was installed.
   */
  listsAllPackages?: boolean;
}
