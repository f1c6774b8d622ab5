import type { RuleModule } from './rule.ts';

export const ROOT_USER_VIOLATION_ID = 'user';
/** An exception waives it by the violation ID or by the rule key. */
const ROOT_USER_EXCEPTION_IDS = [ROOT_USER_VIOLATION_ID, 'root_user'];

/**
 * `root_user: deny` — the user is root when the config's `User` is empty or missing, or its part
 * before `:` is `root` or `0`. With no image config in the bundle the user cannot be verified:
 * that is a violation too (fail closed).
 */
export const rootUserRule: RuleModule = {
  key: 'root_user',
  isVulnerability: false,
  suggestsException: false,
  findingId: 'own',
  place: 'dockerfile-user',
  help: 'The image runs as root. Add a USER instruction with a non-root user to the Dockerfile.',
  docsAnchor: 'root_user',
  fix: () => 'run as a non-root USER',
  compile(rules) {
    if (rules.root_user !== 'deny') return undefined;
    return function evaluateRootUser(facts) {
      const config = facts.bundle.config;
      if (config === undefined) {
        const message = 'the image user could not be verified: no report carries the image config; scan the image itself (not only its file system) so the report includes it';
        return [{ violation: { rule: 'root_user', id: ROOT_USER_VIOLATION_ID, message }, exceptionIds: ROOT_USER_EXCEPTION_IDS }];
      }
      if (!isRootUser(config.user)) return [];
      const shown = config.user === undefined || config.user.trim() === '' ? 'no USER is set, so it is root' : `USER is "${config.user}"`;
      const message = `the image runs as root (${shown}); add a USER instruction with a non-root user to the Dockerfile`;
      return [{ violation: { rule: 'root_user', id: ROOT_USER_VIOLATION_ID, message }, exceptionIds: ROOT_USER_EXCEPTION_IDS }];
    };
  },
};

export function isRootUser(user: string | undefined): boolean {
  if (user === undefined) return true;
  const trimmed = user.trim();
  if (trimmed === '') return true;
  const name = trimmed.split(':', 1)[0]!;
  // An empty name (`:1000`) leaves the user root; `00` is uid 0 too.
  return name === '' || name === 'root' || /^0+$/.test(name);
}
