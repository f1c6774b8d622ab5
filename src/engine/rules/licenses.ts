import { globToRegExp } from '../../model/glob.ts';
import type { Violation } from '../../model/verdict.ts';
import type { RuleHit, RuleModule } from './rule.ts';

/**
 * `licenses: ["AGPL-*", "GPL-3.0*"]` — packages under these licenses (globs, case-insensitive) from the
 * reports' license findings and the packages' licenses. An SPDX expression (`MIT OR GPL-3.0-only`) is
 * split into its IDs and each is judged. One violation per license and package.
 */
export const licensesRule: RuleModule = {
  key: 'licenses',
  compile(rules) {
    const globs = rules.licenses;
    if (globs === undefined || globs.length === 0) return undefined;
    const matchers = globs.map((glob) => ({ glob, regExp: globToRegExp(glob, { caseInsensitive: true }) }));
    return function evaluateLicenses(facts) {
      const seen = new Set<string>();
      const hits: RuleHit[] = [];
      function judge(license: string, packageName: string | undefined, version: string | undefined): void {
        for (const id of splitLicenseExpression(license)) {
          const matcher = matchers.find((m) => m.regExp.test(id));
          if (matcher === undefined) continue;
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
      const versions = new Map<string, string>();
      for (const installed of facts.bundle.packages) {
        if (!versions.has(installed.name)) versions.set(installed.name, installed.version);
        for (const license of installed.licenses) judge(license, installed.name, installed.version);
      }
      for (const finding of facts.bundle.licenses) {
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
