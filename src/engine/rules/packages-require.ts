import type { RuleHit, RuleModule } from './rule.ts';

/** `packages.require: [ca-certificates]` — each name must be installed. Exact names; a Maven artifactId names its `groupId:artifactId`. */
export const packagesRequireRule: RuleModule = {
  key: 'packages.require',
  compile(rules) {
    const required = rules.packages?.require;
    if (required === undefined || required.length === 0) return undefined;
    return function evaluatePackagesRequire(facts) {
      const names = facts.packageNames();
      const hasInventory = names.size > 0;
      const hits: RuleHit[] = [];
      let artifactIds: Set<string> | undefined;
      for (const name of required) {
        if (names.has(name)) continue;
        // Trivy names a Maven package `groupId:artifactId`: its artifactId names it too.
        artifactIds ??= new Set([...names].filter((installed) => installed.includes(':')).map((installed) => installed.slice(installed.lastIndexOf(':') + 1)));
        if (artifactIds.has(name)) continue;
        const message = hasInventory
          ? `${name} is required by the policy but is not installed in the image; install it`
          : `${name} is required by the policy, but no report lists the image's packages, so it could not be verified; scan with a package list (e.g. trivy --list-all-pkgs)`;
        hits.push({ violation: { rule: 'packages.require', id: name, package: name, message }, exceptionIds: [name.toLowerCase()] });
      }
      return hits;
    };
  },
};
