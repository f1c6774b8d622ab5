import { cpSync, mkdirSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { afterAll, describe, expect, it } from 'vitest';
import { loadPolicySet } from '../../src/policy/load.ts';
import type { PolicySource } from '../../src/policy/load.ts';
import { createResolver, findPoliciesDir, loadPreset, presetNames } from '../../src/policy/load-presets.ts';
import { problemsOfAsync } from '../helpers/input-error.ts';

const REPO_POLICIES = resolve(dirname(fileURLToPath(import.meta.url)), '../../policies');
const REPO = '.github/image-assurance.yml';

function repo(text: string): PolicySource {
  return { file: REPO, text, origin: 'repo' };
}

describe('src/policy/load-presets', () => {
  const temporary: string[] = [];
  afterAll(() => {
    for (const dir of temporary) rmSync(dir, { recursive: true, force: true });
  });

  it('finds the repository policies/ folder from src/', () => {
    expect(findPoliciesDir()).toBe(REPO_POLICIES);
  });

  it.each([
    { name: 'a sibling policies/ folder', bundle: 'main.mjs' },
    { name: 'an ancestor policies/ folder', bundle: 'dist/cli/main.mjs' },
  ])('finds $name from a bundled file', async ({ bundle }) => {
    const root = realpathSync(mkdtempSync(join(tmpdir(), 'policies-dir-')));
    temporary.push(root);
    mkdirSync(join(root, 'policies'));
    cpSync(join(REPO_POLICIES, 'baseline.yml'), join(root, 'policies', 'baseline.yml'));
    const outfile = join(root, bundle);
    await build({
      entryPoints: [fileURLToPath(new URL('../../src/policy/load-presets.ts', import.meta.url))],
      bundle: true,
      format: 'esm',
      platform: 'node',
      outfile,
      logLevel: 'silent',
    });

    const bundled = (await import(pathToFileURL(outfile).href)) as { findPoliciesDir(): string; presetNames(): string[] };

    expect(bundled.findPoliciesDir()).toBe(join(root, 'policies'));
    expect(bundled.presetNames()).toEqual(['baseline']);
  });

  it('lists the presets', () => {
    expect(presetNames()).toEqual(['baseline', 'production']);
  });

  it.each(['baseline', 'production'])('loads preset:%s through the loader', async (name) => {
    const preset = loadPreset(name);

    const set = await loadPolicySet([preset!], createResolver({}));

    expect(set.sources).toEqual([`preset:${name}`]);
    expect(set.policies.length).toBeGreaterThan(0);
    expect(set.policies.every((policy) => policy.source === `preset:${name}` && policy.origin === 'preset')).toBe(true);
  });

  it('gives production-readiness the rules the preset promises', async () => {
    const set = await loadPolicySet([repo('version: 1\nextends: [preset:production]\n')], createResolver({}));

    expect(set.policies).toEqual([
      expect.objectContaining({
        name: 'production-readiness',
        enforcement: 'block',
        owner: REPO,
        rules: expect.objectContaining({
          severity: 'critical',
          fixable_severity: 'high',
          misconfigurations: 'high',
          compliance: expect.arrayContaining(['CIS-DI-0001', 'DS-0002']),
          root_user: 'deny',
          secrets: 'deny',
          malware: 'deny',
        }),
      }),
    ]);
  });

  it('gives baseline a blocking and a warning policy', async () => {
    const set = await loadPolicySet([repo('version: 1\nextends: [preset:baseline]\n')], createResolver({}));

    expect(set.policies.map(({ name, enforcement, rules }) => ({ name, enforcement, rules }))).toEqual([
      { name: 'baseline', enforcement: 'block', rules: { fixable_severity: 'critical', secrets: 'deny', malware: 'deny' } },
      { name: 'baseline-warnings', enforcement: 'warn', rules: { severity: 'high' } },
    ]);
  });

  it('extends both presets side by side', async () => {
    const set = await loadPolicySet([repo('version: 1\nextends: [preset:baseline, preset:production]\n')], createResolver({}));

    expect(set.sources).toEqual(['preset:baseline', 'preset:production', REPO]);
  });

  it.each([
    { name: 'an unknown preset', ref: 'preset:prod', message: "extends: unknown preset 'prod' (available: baseline, production)" },
    { name: 'org without an organization policy', ref: 'org', message: 'extends: org, but no organization policy is available (' },
  ])('reports $name at the extends entry', async ({ ref, message }) => {
    const problems = await problemsOfAsync(() => loadPolicySet([repo(`version: 1\nextends:\n  - ${ref}\n`)], createResolver({})));

    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatchObject({ file: REPO, line: 3, col: 5 });
    expect(problems[0]?.message).toContain(message);
  });

  it('reports org at the extends entry when the organization has no file', async () => {
    const resolver = createResolver({ org: async () => undefined });

    const problems = await problemsOfAsync(() => loadPolicySet([repo('version: 1\nextends: [org]\n')], resolver));

    expect(problems[0]).toMatchObject({ file: REPO, line: 2, col: 11 });
  });

  it('resolves org through the callback, and the presets org extends', async () => {
    const org: PolicySource = { file: 'org:acme/.github/.github/image-assurance.yml', text: 'version: 1\nextends: [preset:baseline]\n', origin: 'org' };
    const resolver = createResolver({ org: async () => org });

    const set = await loadPolicySet([repo('version: 1\nextends: [org]\n')], resolver);

    expect(set.sources).toEqual(['preset:baseline', org.file, REPO]);
    expect(set.policies.every((policy) => policy.owner === org.file)).toBe(true);
  });

  it.each(['../package', 'Baseline', 'preset:baseline', ''])('finds no preset named %j', (name) => {
    expect(loadPreset(name)).toBeUndefined();
  });
});

describe('src/policy/load-presets with the SPEC §2 example', () => {
  it('loads the example with the real baseline preset and an organization file', async () => {
    const text = readFileSync(new URL('../fixtures/policy/spec-example.yml', import.meta.url), 'utf8');
    const org: PolicySource = { file: 'org:acme/.github/.github/image-assurance.yml', text: 'version: 1\npolicies:\n  - name: org-gate\n', origin: 'org' };

    const set = await loadPolicySet([repo(text)], createResolver({ org: async () => org }));

    expect(set.sources).toEqual([org.file, 'preset:baseline', REPO]);
    expect(set.policies.map((policy) => `${policy.name}@${policy.owner}`)).toEqual([
      `org-gate@${org.file}`,
      `baseline@${REPO}`,
      `baseline-warnings@${REPO}`,
      `production-readiness@${REPO}`,
    ]);
    expect(set.exceptions).toEqual([expect.objectContaining({ id: 'CVE-2023-44487', policies: ['production-readiness'], owner: REPO })]);
  });
});
