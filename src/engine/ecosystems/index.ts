import semver from 'semver';
import { compareAlpineVersions } from './apk.ts';
import { compareDebianVersions } from './dpkg.ts';
import { compareRpmVersions } from './rpm.ts';

/**
 * Which rules order a package's versions, from the package type the report gives (Trivy's
 * `Type`, Grype's `artifact.type`, a SARIF/CycloneDX type): Debian (dpkg), RPM, Alpine (apk),
 * npm-style semver, or the generic comparator for the rest (see version.ts).
 */
export type Ecosystem = 'deb' | 'rpm' | 'apk' | 'semver' | 'generic';

const ECOSYSTEM_BY_TYPE: Readonly<Record<string, Ecosystem>> = {
  // OS packages: Trivy names the distribution, Grype the package format.
  deb: 'deb',
  debian: 'deb',
  ubuntu: 'deb',
  rpm: 'rpm',
  redhat: 'rpm',
  centos: 'rpm',
  rocky: 'rpm',
  alma: 'rpm',
  almalinux: 'rpm',
  amazon: 'rpm',
  oracle: 'rpm',
  fedora: 'rpm',
  photon: 'rpm',
  suse: 'rpm',
  'opensuse.leap': 'rpm',
  'opensuse.tumbleweed': 'rpm',
  'suse linux enterprise server': 'rpm',
  'suse linux enterprise micro': 'rpm',
  'cbl-mariner': 'rpm',
  azurelinux: 'rpm',
  apk: 'apk',
  alpine: 'apk',
  wolfi: 'apk',
  chainguard: 'apk',
  // npm's own versions are semver.
  npm: 'semver',
  'node-pkg': 'semver',
  yarn: 'semver',
  pnpm: 'semver',
  bun: 'semver',
};

export function ecosystemOf(packageType: string | undefined): Ecosystem {
  return (packageType === undefined ? undefined : ECOSYSTEM_BY_TYPE[packageType.toLowerCase()]) ?? 'generic';
}

/**
 * Negative when `a` is older than `b`, 0 when the same, positive when newer, in that ecosystem;
 * `undefined` for `generic`, or for semver when either is not a semver version (the caller then
 * uses its generic comparator).
 */
export function compareInEcosystem(ecosystem: Ecosystem, a: string, b: string): number | undefined {
  switch (ecosystem) {
    case 'deb':
      return compareDebianVersions(a, b);
    case 'rpm':
      return compareRpmVersions(a, b);
    case 'apk':
      return compareAlpineVersions(a, b);
    case 'semver': {
      const x = toSemver(a);
      const y = toSemver(b);
      return x === null || y === null ? undefined : semver.compare(x, y);
    }
    case 'generic':
      return undefined;
  }
}

/** A semver version, or null; a range bound may leave out minor and patch (`<2` is `<2.0.0`). */
function toSemver(text: string): string | null {
  const trimmed = text.trim();
  const short = /^[v=]?(\d+)(?:\.(\d+))?$/.exec(trimmed);
  if (short) return `${short[1]}.${short[2] ?? 0}.0`;
  return semver.valid(trimmed, { loose: true });
}
