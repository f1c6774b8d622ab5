import { globToRegExp } from '../../model/glob.ts';
import type { PackageMatcher } from '../../policy/schema.ts';
import { ecosystemOf } from '../ecosystems/index.ts';
import { parseVersionRange, satisfiesRange, type VersionRange } from '../version.ts';
import type { InstalledPackage } from '../facts.ts';
import type { RuleHit, RuleModule } from './rule.ts';

interface DenyEntry {
  text: string;
  name: RegExp;
  range?: VersionRange;
  /** Set when the range does not parse: the entry then matches every version (fail closed) and says why. */
  rangeProblem?: string;
}

/**
 * `packages.deny: [telnet, {name: log4j-core, version: "<2.17.1"}]` — images that contain these
 * packages. Names are globs (case-sensitive) on the package name, or for a Maven `groupId:artifactId`
 * (Trivy) on either that or the artifactId; a version range narrows an entry (see version.ts), its
 * versions compared by the rules of the package's ecosystem, from its type (a Debian package's by dpkg's).
 * One violation per package name, listing every matching version.
 */
export const packagesDenyRule: RuleModule = {
  key: 'packages.deny',
  isVulnerability: false,
  suggestsException: true,
  findingId: 'shared',
  place: 'image',
  help: 'A package the policy denies is in the image. Remove it from the image.',
  docsAnchor: 'packagesdeny-and-packagesrequire',
  fix: (violation) => `remove ${violation.package ?? violation.id} from the image`,
  configuration: (rules) => rules.packages?.deny,
  compile(rules) {
    const matchers = rules.packages?.deny;
    if (matchers === undefined || matchers.length === 0) return undefined;
    const entries = matchers.map(toDenyEntry);
    return function evaluatePackagesDeny(facts) {
      const byName = new Map<string, { versions: string[]; entry: DenyEntry }>();
      // Versions repeat across packages: each is checked against an entry's range once per package type.
      const inRange = entries.map(() => new Map<string, boolean>());
      for (const installed of facts.inventory()) {
        const entry = findMatchingEntry(entries, inRange, installed);
        if (entry === undefined) continue;
        const found = byName.get(installed.name);
        if (found) {
          if (!found.versions.includes(installed.version)) found.versions.push(installed.version);
        } else {
          byName.set(installed.name, { versions: [installed.version], entry });
        }
      }
      const hits: RuleHit[] = [];
      for (const [name, { versions, entry }] of byName) {
        hits.push({
          violation: { rule: 'packages.deny', id: name, package: name, version: versions.join(', '), message: denyMessage(name, versions, entry) },
          exceptionIds: name.includes(':') ? [name.toLowerCase(), name.slice(name.lastIndexOf(':') + 1).toLowerCase()] : [name.toLowerCase()],
        });
      }
      return hits;
    };
  },
};

function toDenyEntry(matcher: PackageMatcher): DenyEntry {
  if (typeof matcher === 'string') return { text: matcher, name: globToRegExp(matcher) };
  const entry: DenyEntry = { text: matcher.name, name: globToRegExp(matcher.name) };
  if (matcher.version === undefined) return entry;
  const parsed = parseVersionRange(matcher.version);
  if (parsed.ok) entry.range = parsed.range;
  else entry.rangeProblem = parsed.message;
  return entry;
}

function findMatchingEntry(entries: readonly DenyEntry[], inRange: readonly Map<string, boolean>[], { name, version, type }: InstalledPackage): DenyEntry | undefined {
  // Trivy names a Maven package `groupId:artifactId`; a policy may name either form.
  const colon = name.lastIndexOf(':');
  const artifactId = colon < 0 ? undefined : name.slice(colon + 1);
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e]!;
    if (!entry.name.test(name) && (artifactId === undefined || !entry.name.test(artifactId))) continue;
    if (entry.range === undefined) return entry;
    const key = `${type}\u0000${version}`;
    let holds = inRange[e]!.get(key);
    if (holds === undefined) inRange[e]!.set(key, (holds = satisfiesRange(version, entry.range, ecosystemOf(type))));
    if (holds) return entry;
  }
  return undefined;
}

function denyMessage(name: string, versions: readonly string[], entry: DenyEntry): string {
  const installed = `${name} ${versions.join(', ')}`;
  if (entry.rangeProblem) return `${installed} is denied by the policy (${entry.rangeProblem}, so every version is denied); fix the range or remove the package`;
  if (entry.range) return `${installed} is in the denied range ${entry.range.text}; upgrade ${name} out of that range`;
  return `${installed} is denied by the policy; remove ${name} from the image`;
}
