import { describe, expect, it } from 'vitest';
import { buildBundle, buildException, buildSecret } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/secrets', () => {
  it.each([
    ['no secret', [], 'deny' as const, 0],
    ['one secret', [buildSecret()], 'deny' as const, 1],
    ['allow ignores secrets', [buildSecret()], 'allow' as const, 0],
    ['two rules', [buildSecret(), buildSecret({ ruleId: 'github-pat', title: 'GitHub PAT' })], 'deny' as const, 2],
  ])('%s', (_name, secrets, mode, count) => {
    const verdict = evaluateRules(buildBundle({ secrets }), { secrets: mode });

    expect(verdict.violations).toHaveLength(count);
  });

  it('reports one violation per rule ID, naming every place', () => {
    const bundle = buildBundle({ secrets: [buildSecret({ severity: 'high' }), buildSecret({ target: '/app/config.yml', line: 9 })] });

    const { violations } = evaluateRules(bundle, { secrets: 'deny' });

    expect(violations).toEqual([
      {
        rule: 'secrets',
        attribution: 'introduced',
        id: 'aws-access-key-id',
        severity: 'critical',
        message: 'secret AWS Access Key ID (aws-access-key-id) found in /app/.env:3, /app/config.yml:9; remove it from the image and rotate it',
        location: { path: '/app/.env', line: 3 },
      },
    ]);
  });

  it('is waived by the secret rule ID', () => {
    const verdict = evaluateRules(buildBundle({ secrets: [buildSecret()] }), { secrets: 'deny' }, [buildException({ id: 'AWS-Access-Key-ID' })]);

    expect(verdict.passed).toBe(true);
  });
});
