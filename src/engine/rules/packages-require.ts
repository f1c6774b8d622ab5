import type { RuleHit, RuleModule } from './rule.ts';

/** `packages.require: [ca-certificates]` — each name must be installed. Exact names; a Maven artifactId names its `groupId:artifactId`. */
export const packagesRequireRule: RuleModule = {
  key: 'packages.require',
  isVulnerability: false,
  suggestsException: false,
  findingId: 'own',
  place: 'image',
  help: 'A package the policy requires is missing from the image. Install it.',
  docsAnchor: 'packagesdeny-and-packagesrequire',
  fix: (violation) => `install ${violation.id} in the image`,
  configuration: (rules) => rules.packages?.require,
  compile(rules) {
    const required = rules.packages?.require;
    if (required === undefined || required.length === 0) return undefined;
    return function evaluatePackagesRequire(facts) {
      const names = facts.packageNames();
      // Grype, and Trivy without --list-all-pkgs, name only the packages a vulnerability is in: then
      // a missing name proves nothing. A list with a package no vulnerability names is a full list.
      let hasInventory: boolean | undefined;
      const isFullList = (): boolean => {
        if (hasInventory === undefined) {
          const vulnerable = new Set<string>();
          for (const vulnerability of facts.bundle.vulnerabilities) vulnerable.add(vulnerability.package);
          hasInventory = facts.bundle.packages.some((pkg) => !vulnerable.has(pkg.name));
        }
        return hasInventory;
      };
      const hits: RuleHit[] = [];
      let artifactIds: Set<string> | undefined;
      for (const name of required) {
        if (names.has(name)) continue;
        // Trivy names a Maven package `groupId:artifactId`: its artifactId names it too.
        artifactIds ??= new Set([...names].filter((installed) => installed.includes(':')).map((installed) => installed.slice(installed.lastIndexOf(':') + 1)));
        if (artifactIds.has(name)) continue;
        const message = isFullList()
          ? `${name} is required by the policy but is not installed in the image; install it`
          : names.size > 0
            ? `${name} is required by the policy, but the reports list only the image's vulnerable packages, so it could not be verified; scan with a full package list (e.g. trivy --list-all-pkgs)`
            : `${name} is required by the policy, but no report lists the image's packages, so it could not be verified; scan with a package list (e.g. trivy --list-all-pkgs)`;
        hits.push({ violation: { rule: 'packages.require', id: name, package: name, message }, exceptionIds: [name.toLowerCase()] });
      }
      return hits;
    };
  },
};
