import { globToRegExp } from '../../model/glob.ts';
import type { Violation } from '../../model/verdict.ts';
import type { RuleHit, RuleModule } from './rule.ts';

/**
 * `licenses: ["AGPL-*", "GPL-3.0*"]` — packages under these licenses (globs, case-insensitive) from the
 * reports' license findings and the packages' licenses. An SPDX expression is read as SPDX means it:
 * `OR` is the licensee's choice, so `MIT OR GPL-3.0-only` is denied only when every alternative holds
 * a denied ID; `AND` needs them all, so one denied ID is enough; `WITH` keeps the license. Each
 * denied ID of a denied expression is a violation. One violation per license and package.
 */
export const licensesRule: RuleModule = {
  key: 'licenses',
  isVulnerability: false,
  suggestsException: true,
  findingId: 'shared',
  place: 'image',
  help: 'A package has a license the policy does not allow. Replace the package or get its license approved.',
  docsAnchor: 'licenses',
  fix: (violation) => `replace ${violation.package ?? violation.id} (licensed ${violation.id}) or get it approved`,
  compile(rules) {
    const globs = rules.licenses;
    if (globs === undefined || globs.length === 0) return undefined;
    const matchers = globs.map((glob) => ({ glob, regExp: globToRegExp(glob, { caseInsensitive: true }) }));
    const isDenied = (candidate: string): boolean => matchers.some((m) => m.regExp.test(candidate));
    return function evaluateLicenses(facts) {
      const seen = new Set<string>();
      const hits: RuleHit[] = [];
      // A report repeats a few license strings over thousands of packages: judge each string once.
      const deniedByLicense = new Map<string, { id: string; matcher: (typeof matchers)[number] }[]>();
      function judge(license: string, packageName: string | undefined, version: string | undefined): void {
        let denied = deniedByLicense.get(license);
        if (denied === undefined) {
          denied = deniedLicenseIds(license, isDenied).map((id) => ({ id, matcher: matchers.find((m) => m.regExp.test(id))! }));
          deniedByLicense.set(license, denied);
        }
        for (const { id, matcher } of denied) {
          const key = `${id}\u0000${packageName ?? ''}`;
          if (seen.has(key)) continue;
          seen.add(key);
          const subject = packageName === undefined ? 'the image contains content' : `${packageName}${version ? ` ${version}` : ''} is`;
          const violation: Violation = {
            rule: 'licenses',
            id,
            message: `${subject} under ${id}, which the policy denies (${matcher.glob}); replace ${packageName ?? 'it'} or add an exception`,
          };
          if (packageName !== undefined) violation.package = packageName;
          if (version) violation.version = version;
          const exceptionIds = packageName === undefined ? [id.toLowerCase()] : [id.toLowerCase(), packageName.toLowerCase()];
          hits.push({ violation, exceptionIds });
        }
      }
      const { packages, licenses } = facts.bundle;
      for (const installed of packages) {
        for (const license of installed.licenses) judge(license, installed.name, installed.version);
      }
      if (licenses.length === 0) return hits;
      // A license finding names its package; its version is the first the package list gives.
      const versions = new Map<string, string>();
      for (const installed of packages) if (!versions.has(installed.name)) versions.set(installed.name, installed.version);
      for (const finding of licenses) {
        judge(finding.license, finding.package, finding.package === undefined ? undefined : versions.get(finding.package));
      }
      return hits;
    };
  },
};

/**
 * `(MIT OR GPL-3.0-only) AND Apache-2.0 WITH LLVM-exception` → `MIT`, `GPL-3.0-only`, `Apache-2.0`.
 * A name with no operator (`GNU General Public License v3`) stays whole.
 */
export function splitLicenseExpression(expression: string): string[] {
  if (!/[()]|\s(AND|OR|WITH)\s/i.test(expression)) return [expression.trim()];
  const ids: string[] = [];
  for (const part of expression.split(/\s+(?:AND|OR)\s+/i)) {
    const id = part.replace(/[()]/g, ' ').replace(/\s+WITH\s+.*$/i, '').trim();
    if (id !== '') ids.push(id);
  }
  return ids.length === 0 ? [expression.trim()] : ids;
}

/** Alternatives beyond this many (a pathological expression) are not expanded: every ID is judged, fail closed. */
const MAX_ALTERNATIVES = 256;

/**
 * The IDs of `expression` that make it denied: none when some `OR` alternative holds no denied ID;
 * else the denied IDs every alternative holds, or when there are none such, every denied ID. An expression that does not parse has each of its IDs judged alone (fail closed).
 */
export function deniedLicenseIds(expression: string, isDenied: (id: string) => boolean): string[] {
  const alternatives = licenseAlternatives(expression);
  if (alternatives === undefined) return splitLicenseExpression(expression).filter(isDenied);
  const denied: string[] = [];
  let unavoidable: string[] | undefined;
  for (const alternative of alternatives) {
    const found = alternative.filter(isDenied);
    if (found.length === 0) return [];
    for (const id of found) if (!denied.includes(id)) denied.push(id);
    unavoidable = unavoidable === undefined ? found : unavoidable.filter((id) => found.includes(id));
  }
  // Name what every choice carries (`(MIT OR GPL) AND AGPL`: AGPL), else every denied choice.
  return unavoidable !== undefined && unavoidable.length > 0 ? unavoidable : denied;
}

/**
 * An SPDX expression as its `OR` alternatives, each the IDs that must all hold (disjunctive normal
 * form): `(MIT OR GPL-3.0-only) AND Apache-2.0` → `[[MIT, Apache-2.0], [GPL-3.0-only, Apache-2.0]]`.
 * A name with no operator is one ID. `undefined` when it does not parse or expands too far.
 */
export function licenseAlternatives(expression: string): string[][] | undefined {
  const tokens = expression.match(/\(|\)|[^\s()]+/g) ?? [];
  if (tokens.length === 0) return undefined;
  if (!tokens.some((token) => token === '(' || token === ')' || /^(and|or|with)$/i.test(token))) return [[expression.trim()]];
  let at = 0;
  const peek = (): string | undefined => tokens[at];
  const isWord = (word: string): boolean => peek()?.toUpperCase() === word;
  function parseOr(): string[][] | undefined {
    let result = parseAnd();
    while (result !== undefined && isWord('OR')) {
      at++;
      const right = parseAnd();
      if (right === undefined) return undefined;
      result = [...result, ...right];
      if (result.length > MAX_ALTERNATIVES) return undefined;
    }
    return result;
  }
  function parseAnd(): string[][] | undefined {
    let result = parseAtom();
    while (result !== undefined && isWord('AND')) {
      at++;
      const right = parseAtom();
      if (right === undefined) return undefined;
      const product: string[][] = [];
      for (const left of result) for (const other of right) product.push([...left, ...other]);
      if (product.length > MAX_ALTERNATIVES) return undefined;
      result = product;
    }
    return result;
  }
  function parseAtom(): string[][] | undefined {
    const token = peek();
    if (token === undefined || token === ')' || /^(and|or|with)$/i.test(token)) return undefined;
    at++;
    if (token === '(') {
      const inner = parseOr();
      if (inner === undefined || peek() !== ')') return undefined;
      at++;
      return inner;
    }
    if (isWord('WITH')) {
      at++;
      const exception = peek();
      if (exception === undefined || exception === '(' || exception === ')') return undefined;
      at++;
    }
    return [[token]];
  }
  const result = parseOr();
  return result !== undefined && at === tokens.length ? result : undefined;
}
