import type {
  Check,
  ImageConfig,
  LicenseFinding,
  Malware,
  OsInfo,
  OvalResult,
  Package,
  ReportFormat,
  Secret,
  Vulnerability,
} from './report.ts';

/** A parsed image reference, with `docker.io/library/` filled in for bare names. */
export interface ImageRef {
  /** `registry/repository[:tag]`, normalized: what scope `images` globs and the verdict show. */
  ref: string;
  registry: string;
  /** The path after the registry, e.g. `library/alpine`, `acme/api`. */
  repository: string;
  tag?: string;
  /** `sha256:…` manifest digest, when known. */
  digest?: string;
}

export interface BaseImage {
  name: string;
  /** Where it was read: the OCI label, or the last `FROM` of the Dockerfile at that commit (GitHub flow). */
  source: 'label' | 'dockerfile';
  /** For `dockerfile`: where the `FROM` line is. */
  location?: { path: string; line: number };
}

/** The reports about one image, merged (SPEC §1). */
export interface Bundle {
  /** The grouping key: `digest`, else `ref`. */
  key: string;
  image: ImageRef;
  imageId?: string;
  os?: OsInfo;
  packages: Package[];
  vulnerabilities: Vulnerability[];
  secrets: Secret[];
  checks: Check[];
  licenses: LicenseFinding[];
  malware: Malware[];
  oval: OvalResult[];
  /** Present when at least one report carried the image config; `undefined` makes `root_user` fail closed. */
  config?: ImageConfig;
  baseImage?: BaseImage;
  /** The latest `scannedAt` of its reports (ISO time). */
  scannedAt?: string;
  /** Some report lists every package of the image (see Report.listsAllPackages). */
  listsAllPackages?: boolean;
  reports: { path: string; format: ReportFormat; tool: string }[];
}
