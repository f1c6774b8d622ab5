import { describe, expect, it } from 'vitest';
import { isRootUser } from '../../../src/engine/rules/root-user.ts';
import type { ImageConfig } from '../../../src/model/report.ts';
import { buildBundle, buildException } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/root-user', () => {
  it.each<[string, string | undefined, boolean]>([
    ['0:0', '0:0', true],
    ['root:root', 'root:root', true],
    ['root', 'root', true],
    ['0', '0', true],
    ['0 with a group', '0:1000', true],
    ['empty', '', true],
    ['blank', '  ', true],
    ['missing', undefined, true],
    ['1000', '1000', false],
    ['1000:1000', '1000:1000', false],
    ['nobody', 'nobody', false],
    ['a user named rootless', 'rootless', false],
    ['uid 10', '10', false],
  ])('user %s: root = %s', (_name, user, isRoot) => {
    const config: ImageConfig = user === undefined ? { labels: {} } : { user, labels: {} };

    const verdict = evaluateRules(buildBundle({ config }), { root_user: 'deny' });

    expect(verdict.passed).toBe(!isRoot);
    expect(isRootUser(user)).toBe(isRoot);
  });

  it('fails closed when no report carries the image config', () => {
    const bundle = buildBundle({ config: undefined });

    const { violations } = evaluateRules(bundle, { root_user: 'deny' });

    expect(violations).toHaveLength(1);
    expect(violations[0]?.message).toMatch(/^the image user could not be verified: no report carries the image config/);
  });

  it('says which user it saw', () => {
    const bundle = buildBundle({ config: { user: '0:0', labels: {} } });

    const [violation] = evaluateRules(bundle, { root_user: 'deny' }).violations;

    expect(violation).toEqual({
      rule: 'root_user',
      attribution: 'introduced',
      id: 'user',
      message: 'the image runs as root (USER is "0:0"); add a USER instruction with a non-root user to the Dockerfile',
    });
  });

  it('allow does nothing', () => {
    const verdict = evaluateRules(buildBundle({ config: undefined }), { root_user: 'allow' });

    expect(verdict.passed).toBe(true);
  });

  it.each([['user'], ['root_user'], ['ROOT_USER']])('is waived by an exception with the ID %s (the violation ID or the rule key)', (id) => {
    const verdict = evaluateRules(buildBundle({ config: { user: 'root', labels: {} } }), { root_user: 'deny' }, [buildException({ id })]);

    expect(verdict.passed).toBe(true);
  });

  it.each([['0:0'], [undefined]])('a config-less or root image is waived by root_user too (user %s)', (user) => {
    const bundle = buildBundle(user === undefined ? { config: undefined } : { config: { user, labels: {} } });

    expect(evaluateRules(bundle, { root_user: 'deny' }, [buildException({ id: 'root_user' })]).passed).toBe(true);
  });
});
