import type { Bundle, ImageRef } from '../model/bundle.ts';
import { normalizeRepositoryName } from '../model/image-ref.ts';
import type { StaleVex, VexUse } from '../model/verdict.ts';
import { tryParsePurl } from '../vex/purl.ts';
import type { Purl, VexDocument, VexProduct, VexStatement } from '../vex/schema.ts';

/**
 * VEX matching (issue 11). A statement applies to a vulnerability finding when it names the
 * finding's ID or an alias, and one of its products is
 * - the image: a `pkg:oci/NAME` URL with the image's digest as version, and/or a `repository_url`
 *   equal to the image's registry/repository (registry names normalized as in scopes: `alpine`,
 *   `index.docker.io/library/alpine` and `docker.io/library/alpine` are one); without either it
 *   names no image; or
 * - a package: the finding's package URL, at that version only when the product gives one;
 * and, when the product lists subcomponents, the finding's package is one of them (for a package
 * product, the image must also contain that package).
 * Of the statements that apply to a finding, the latest wins (undated ones count as latest, so
 * they can only block); ties go to the later document and statement. It suppresses the finding
 * when it is `not_affected`, or `fixed` for a product pinned to the image's digest, and it is no
 * older than `maxAgeDays` at `now`; an older (or undated) one suppresses nothing and is listed as
 * stale. `affected` and `under_investigation` never suppress. Pure: `now` comes in.
 */

const DAY_MS = 86_400_000;

export interface VexOptions {
  now: Date;
  maxAgeDays: number;
}

export type VexDecision = { kind: 'suppress'; use: VexUse } | { kind: 'stale'; stale: StaleVex };

/** The decision for a vulnerability hit of one bundle, by its vulnerability index; undefined when no VEX statement suppresses or was stale. */
export type VexMatcher = (vulnerabilityIndex: number) => VexDecision | undefined;

export interface VexIndex {
  readonly isEmpty: boolean;
  matcherFor(bundle: Bundle): VexMatcher;
}

interface Indexed {
  statement: VexStatement;
  /** Position over every document's statements, for ties. */
  order: number;
  /** Milliseconds; +Infinity for an undated statement (it counts as the latest: fail closed). */
  time: number;
}

export function indexVex(documents: readonly VexDocument[], options: VexOptions): VexIndex {
  const byId = new Map<string, Indexed[]>();
  let order = 0;
  for (const document of documents) {
    for (const statement of document.statements) {
      const indexed: Indexed = { statement, order: order++, time: statement.timestamp === undefined ? Number.POSITIVE_INFINITY : Date.parse(statement.timestamp) };
      for (const id of new Set([statement.vulnerability, ...statement.aliases].map((name) => name.toLowerCase()))) {
        const list = byId.get(id);
        if (list) list.push(indexed);
        else byId.set(id, [indexed]);
      }
    }
  }
  const maxAgeMs = options.maxAgeDays * DAY_MS;
  const nowMs = options.now.getTime();

  return {
    isEmpty: byId.size === 0,
    matcherFor(bundle) {
      if (byId.size === 0) return () => undefined;
      const packages = bundlePackagePurls(bundle);
      const decisions = new Map<number, VexDecision | undefined>();
      const decide = (index: number): VexDecision | undefined => {
        if (decisions.has(index)) return decisions.get(index);
        const decision = decideOne(bundle, index, byId, packages, nowMs, maxAgeMs);
        decisions.set(index, decision);
        return decision;
      };
      // A rule reports one hit per vulnerability ID and package: it is suppressed only when every
      // finding of that ID in that package (another version, another path) is.
      let groups: Map<string, number[]> | undefined;
      return (index) => {
        const own = decide(index);
        if (own === undefined) return undefined;
        groups ??= groupByIdAndPackage(bundle);
        const group = groups.get(groupKey(bundle, index)) ?? [index];
        if (own.kind === 'suppress') {
          for (const other of group) {
            if (other === index) continue;
            const decision = decide(other);
            if (decision?.kind !== 'suppress') return decision;
          }
        }
        return own;
      };
    },
  };
}

function decideOne(bundle: Bundle, index: number, byId: Map<string, Indexed[]>, packages: () => Purl[], nowMs: number, maxAgeMs: number): VexDecision | undefined {
  const vulnerability = bundle.vulnerabilities[index]!;
  const candidates = new Set<Indexed>();
  for (const id of [vulnerability.id, ...vulnerability.aliases]) for (const indexed of byId.get(id.toLowerCase()) ?? []) candidates.add(indexed);
  if (candidates.size === 0) return undefined;
  const findingPurl = vulnerability.purl === undefined ? undefined : tryParsePurl(vulnerability.purl);
  let winner: { indexed: Indexed; isPinned: boolean } | undefined;
  for (const indexed of candidates) {
    const match = matchProducts(indexed.statement.products, bundle.image, findingPurl, packages);
    if (!match.matches) continue;
    if (winner === undefined || indexed.time > winner.indexed.time || (indexed.time === winner.indexed.time && indexed.order > winner.indexed.order)) {
      winner = { indexed, isPinned: match.isPinned };
    }
  }
  if (winner === undefined) return undefined;
  const { statement, time } = winner.indexed;
  const canSuppress = statement.status === 'not_affected' || (statement.status === 'fixed' && winner.isPinned);
  if (!canSuppress) return undefined;
  const use = vexUse(statement);
  if (Number.isFinite(time) && nowMs - time <= maxAgeMs) return { kind: 'suppress', use };
  return { kind: 'stale', stale: Number.isFinite(time) ? { ...use, age_days: Math.floor((nowMs - time) / DAY_MS) } : use };
}

function vexUse(statement: VexStatement): VexUse {
  const use: VexUse = { document: statement.document, statement: statement.at, vulnerability: statement.vulnerability, status: statement.status };
  if (statement.justification !== undefined) use.justification = statement.justification;
  if (statement.impactStatement !== undefined) use.impact_statement = statement.impactStatement;
  if (statement.timestamp !== undefined) use.timestamp = statement.timestamp;
  return use;
}

/** Whether any product applies to the finding, and whether the one that does is pinned to the image's digest (for `fixed`). */
function matchProducts(products: readonly VexProduct[], image: ImageRef, finding: Purl | undefined, packages: () => Purl[]): { matches: boolean; isPinned: boolean } {
  let matches = false;
  for (const product of products) {
    const isSubcomponentMatch = product.subcomponents.length === 0 || product.subcomponents.some((sub) => matchesPackage(sub.purl, finding));
    if (product.purl.type === 'oci') {
      const imageMatch = matchesImage(product.purl, image);
      if (!imageMatch.matches || !isSubcomponentMatch) continue;
      if (imageMatch.isPinned) return { matches: true, isPinned: true };
      matches = true;
    } else if (product.subcomponents.length === 0) {
      if (matchesPackage(product.purl, finding)) matches = true;
    } else if (isSubcomponentMatch && packages().some((found) => matchesPackage(product.purl, found))) {
      matches = true;
    }
  }
  return { matches, isPinned: false };
}

/** `pkg:oci/NAME@sha256:…?repository_url=REGISTRY/REPOSITORY&tag=T` against the image. */
export function matchesImage(purl: Purl, image: ImageRef): { matches: boolean; isPinned: boolean } {
  const no = { matches: false, isPinned: false };
  const digest = purl.version;
  const repositoryUrl = purl.qualifiers['repository_url'];
  if (digest === undefined && repositoryUrl === undefined) return no;
  if (digest !== undefined && image.digest?.toLowerCase() !== digest.toLowerCase()) return no;
  const repository = `${image.registry}/${image.repository}`.toLowerCase();
  if (repositoryUrl !== undefined) {
    if (normalizedRepositoryUrl(repositoryUrl, purl.name) !== repository) return no;
  } else if (repository.split('/').at(-1) !== purl.name.toLowerCase()) {
    return no;
  }
  const tag = purl.qualifiers['tag'];
  if (digest === undefined && tag !== undefined && image.tag !== tag) return no;
  return { matches: true, isPinned: digest !== undefined };
}

/** `https://index.docker.io/aquasec/trivy` → `docker.io/aquasec/trivy`; a URL that stops at the namespace gets the name. */
function normalizedRepositoryUrl(url: string, name: string): string {
  const path = url.replace(/^[a-z]+:\/\//i, '').replace(/\/+$/, '');
  const withName = path.split('/').at(-1)?.toLowerCase() === name.toLowerCase() ? path : `${path}/${name}`;
  return normalizeRepositoryName(withName).toLowerCase();
}

/**
 * A product's or subcomponent's package URL against a finding's: type, namespace and name equal
 * (names case-insensitively), the version when the pattern gives one, and every qualifier the pattern gives.
 */
export function matchesPackage(pattern: Purl, found: Purl | undefined): boolean {
  if (found === undefined) return false;
  if (pattern.type !== found.type) return false;
  if ((pattern.namespace ?? '').toLowerCase() !== (found.namespace ?? '').toLowerCase()) return false;
  if (pattern.name.toLowerCase() !== found.name.toLowerCase()) return false;
  if (pattern.version !== undefined && pattern.version !== found.version) return false;
  for (const [key, value] of Object.entries(pattern.qualifiers)) if (found.qualifiers[key] !== value) return false;
  return true;
}

/** Every package URL the bundle names (package lists and vulnerabilities), parsed once on first use. */
function bundlePackagePurls(bundle: Bundle): () => Purl[] {
  let purls: Purl[] | undefined;
  return () => {
    if (purls === undefined) {
      const texts = new Set<string>();
      for (const pkg of bundle.packages) if (pkg.purl !== undefined) texts.add(pkg.purl);
      for (const vulnerability of bundle.vulnerabilities) if (vulnerability.purl !== undefined) texts.add(vulnerability.purl);
      purls = [...texts].flatMap((text) => tryParsePurl(text) ?? []);
    }
    return purls;
  };
}

function groupKey(bundle: Bundle, index: number): string {
  const vulnerability = bundle.vulnerabilities[index]!;
  return `${vulnerability.id.toLowerCase()}\u0000${vulnerability.package.toLowerCase()}`;
}

function groupByIdAndPackage(bundle: Bundle): Map<string, number[]> {
  const groups = new Map<string, number[]>();
  bundle.vulnerabilities.forEach((_, index) => {
    const key = groupKey(bundle, index);
    const list = groups.get(key);
    if (list) list.push(index);
    else groups.set(key, [index]);
  });
  return groups;
}
