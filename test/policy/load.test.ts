import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { InputError } from '../../src/errors.ts';
import { loadPolicySet, MAX_POLICY_FILE_CHARS, parsePolicyFile } from '../../src/policy/load.ts';
import type { ExtendsResolver, PolicySource } from '../../src/policy/load.ts';
import { SETTINGS_DEFAULTS } from '../../src/policy/schema.ts';
import { problemsOf, problemsOfAsync } from '../helpers/input-error.ts';

const REPO = '.github/image-assurance.yml';
const ORG = 'org:acme/.github/.github/image-assurance.yml';

function repo(text: string): PolicySource {
  return { file: REPO, text, origin: 'repo' };
}

/** A resolver over in-memory files: `org` and `preset:NAME` keys. */
function resolverOf(files: Readonly<Record<string, string | undefined>>): ExtendsResolver {
  return async (ref) => {
    const text = files[ref];
    if (text === undefined) return undefined;
    if (ref === 'org') return { file: ORG, text, origin: 'org' };
    return { file: ref, text, origin: 'preset' };
  };
}

const noExtends: ExtendsResolver = async () => undefined;

describe('src/policy/load parsePolicyFile', () => {
  it('parses the SPEC §2 example as-is', () => {
    const text = readFileSync(new URL('../fixtures/policy/spec-example.yml', import.meta.url), 'utf8');

    const file = parsePolicyFile(repo(text));

    expect(file.extends).toEqual(['org', 'preset:baseline']);
    expect(file.policies.map((policy) => policy.name)).toEqual(['production-readiness']);
    expect(file.policies[0]?.rules.custom?.[0]?.when).toBe('bundle.os.eol');
    expect(file.policies[0]?.rules.packages?.deny).toEqual(['telnet', { name: 'log4j-core', version: '<2.17.1' }]);
    expect(file.exceptions[0]).toMatchObject({ id: 'CVE-2023-44487', expires: '2027-03-31' });
  });

  it('fills in the defaults of a minimal file', () => {
    const file = parsePolicyFile(repo('version: 1\npolicies:\n  - name: p\n'));

    expect(file.policies).toEqual([{ name: 'p', enforcement: 'block', rules: {} }]);
    expect(file.exceptions).toEqual([]);
  });

  it.each([
    {
      name: 'a typo in a key',
      text: 'version: 1\npolicies:\n  - name: p\n    rules:\n      severty: high\n',
      line: 5,
      col: 7,
      message: "unknown key 'severty' (expected one of: severity, fixable_severity, max_cvss,",
    },
    {
      name: 'a wrong type',
      text: 'version: 1\npolicies:\n  - name: p\n    rules:\n      max_cvss: "9.0"\n',
      line: 5,
      col: 17,
      message: 'expected a number, got a string ("9.0")',
    },
    {
      name: 'a value outside an enum',
      text: 'version: 1\npolicies:\n  - name: p\n    enforcement: blok\n',
      line: 4,
      col: 18,
      message: 'expected one of: block, warn, shadow; got a string ("blok")',
    },
    {
      name: 'a severity that does not exist',
      text: 'version: 1\npolicies:\n  - name: p\n    rules: { severity: severe }\n',
      line: 4,
      col: 24,
      message: 'expected one of: negligible, low, medium, high, critical',
    },
    {
      name: 'a duplicate policy name',
      text: 'version: 1\npolicies:\n  - name: p\n  - name: q\n  - name: p\n',
      line: 5,
      col: 11,
      message: "duplicate policy name 'p' (first defined at line 3)",
    },
    {
      name: 'a duplicate custom rule name',
      text: [
        'version: 1',
        'policies:',
        '  - name: p',
        '    rules:',
        '      custom:',
        '        - { name: eol, when: "bundle.os.eol", message: m }',
        '        - { name: eol, when: "true", message: m }',
      ].join('\n'),
      line: 7,
      col: 19,
      message: "duplicate custom rule name 'eol' in policy 'p'",
    },
    {
      name: 'an invalid CEL expression, at the place inside it',
      text: [
        'version: 1',
        'policies:',
        '  - name: p',
        '    rules:',
        '      custom:',
        '        - name: eol',
        '          when: "bundle.os.eol &&"',
        '          message: m',
      ].join('\n'),
      line: 7,
      col: 34,
      message: "invalid CEL expression in custom rule 'eol'",
    },
    {
      name: 'a CEL field the bundle does not have, at its place',
      text: [
        'version: 1',
        'policies:',
        '  - name: p',
        '    rules:',
        '      custom:',
        '        - name: many',
        '          when: "bundle.vulns.size() > 10"',
        '          message: m',
      ].join('\n'),
      line: 7,
      col: 25,
      message: "invalid CEL expression in custom rule 'many': No such key: vulns",
    },
    {
      name: 'an invalid CEL expression in a block scalar',
      text: [
        'version: 1',
        'policies:',
        '  - name: p',
        '    rules:',
        '      custom:',
        '        - name: eol',
        '          when: |',
        '            bundle.os.eol &&',
        '              )',
        '          message: m',
      ].join('\n'),
      line: 9,
      col: 15,
      message: "invalid CEL expression in custom rule 'eol'",
    },
    {
      name: 'a date that does not exist',
      text: 'version: 1\nexceptions:\n  - id: CVE-1\n    reason: r\n    expires: 2027-02-30\n',
      line: 5,
      col: 14,
      message: 'expected a calendar date (YYYY-MM-DD) that exists, got a string ("2027-02-30")',
    },
    {
      name: 'a date that is a word',
      text: 'version: 1\nexceptions:\n  - id: CVE-1\n    reason: r\n    expires: soon\n',
      line: 5,
      col: 14,
      message: 'expected a date as YYYY-MM-DD, got a string ("soon")',
    },
    {
      name: 'an empty list of globs',
      text: 'version: 1\npolicies:\n  - name: p\n    scope:\n      images: []\n',
      line: 5,
      col: 15,
      message: 'expected a non-empty list',
    },
    {
      name: 'a YAML syntax error',
      text: 'version: 1\npolicies:\n  - name: p\n    rules: [severity: high\n',
      line: 5,
      col: 1,
      message: 'invalid YAML: ',
    },
    {
      name: 'a duplicate YAML key',
      text: 'version: 1\npolicies:\n  - name: p\n    rules:\n      severity: high\n      severity: low\n',
      line: 6,
      col: 7,
      message: "duplicate key 'severity'",
    },
    {
      name: 'a missing required key',
      text: 'version: 1\nexceptions:\n  - id: CVE-1\n    expires: 2027-01-01\n',
      line: 3,
      col: 5,
      message: "missing required key 'reason' (expected a string)",
    },
    {
      name: 'an unsupported version',
      text: 'version: 2\n',
      line: 1,
      col: 10,
      message: 'expected 1, got a number (2)',
    },
    {
      name: 'a package matcher that is neither a name nor a mapping',
      text: 'version: 1\npolicies:\n  - name: p\n    rules: { packages: { deny: [telnet, 3] } }\n',
      line: 4,
      col: 41,
      message: 'expected a string or a mapping, got a number (3)',
    },
    {
      name: 'an unknown key in a package matcher',
      text: 'version: 1\npolicies:\n  - name: p\n    rules: { packages: { deny: [{ name: x, versoin: "1" }] } }\n',
      line: 4,
      col: 44,
      message: "unknown key 'versoin' (expected one of: name, version)",
    },
    {
      name: 'an unknown extends entry',
      text: 'version: 1\nextends: [org, base]\n',
      line: 2,
      col: 16,
      message: 'expected "org" or "preset:NAME", got a string ("base")',
    },
    {
      name: 'a missing version',
      text: 'policies: []\n',
      line: 1,
      col: 1,
      message: "missing required key 'version' (expected 1)",
    },
    {
      name: 'a value that is not a mapping at the top',
      text: '- version: 1\n',
      line: 1,
      col: 1,
      message: 'expected a mapping, got a list',
    },
    {
      name: 'an empty file',
      text: '# nothing yet\n',
      line: 1,
      col: 1,
      message: 'the policy file is empty',
    },
    {
      name: 'an empty label name',
      text: 'version: 1\npolicies:\n  - name: p\n    scope:\n      labels: { "": prod }\n',
      line: 5,
      col: 17,
      message: 'invalid key "": expected a non-empty string',
    },
    {
      name: 'a CEL expression that does not return a bool',
      text: 'version: 1\npolicies:\n  - name: p\n    rules:\n      custom: [{ name: n, when: "size(bundle.secrets)", message: m }]\n',
      line: 5,
      col: 34,
      message: 'it must return a bool',
    },
    {
      name: 'a packages.deny version range that does not parse',
      text: 'version: 1\npolicies:\n  - name: p\n    rules:\n      packages:\n        deny:\n          - name: log4j-core\n            version: "=>2.17"\n',
      line: 8,
      col: 22,
      message: '"=>2.17" in the version range "=>2.17" is not a comparator',
    },
    {
      name: 'an alias without an anchor',
      text: 'version: 1\npolicies:\n  - name: *prod\n',
      line: 3,
      col: 11,
      message: 'invalid YAML: the alias *prod names no anchor defined before it',
    },
    {
      name: 'an alias bomb',
      text: ['version: 1', 'a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]', 'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]', ''].join('\n'),
      line: 1,
      col: 1,
      message: 'invalid YAML: ',
    },
    {
      name: 'a YAML tag we do not know',
      text: 'version: !Ref one\n',
      line: 1,
      col: 10,
      message: 'invalid YAML: ',
    },
  ])('reports $name at $line:$col', ({ text, line, col, message }) => {
    const problems = problemsOf(() => parsePolicyFile(repo(text)));

    expect(problems[0]).toMatchObject({ file: REPO, line, col });
    expect(problems[0]?.message).toContain(message);
  });

  it('refuses a file too large to be a policy', () => {
    const problems = problemsOf(() => parsePolicyFile(repo(`version: 1\n${'#'.repeat(MAX_POLICY_FILE_CHARS)}\n`)));

    expect(problems).toEqual([{ file: REPO, message: expect.stringContaining(`at most ${MAX_POLICY_FILE_CHARS} are read`) }]);
  });

  it('reports every problem of a file at once, in file order', () => {
    const text = [
      'version: 1',
      'policies:',
      '  - name: Prod',
      '    enforcement: never',
      '    rules:',
      '      max_cvss: 11',
      'exceptions:',
      '  - id: CVE-1',
      '    reason: r',
      '    expires: soon',
    ].join('\n');

    const problems = problemsOf(() => parsePolicyFile(repo(text)));

    expect(problems.map((problem) => `${problem.line}:${problem.col}`)).toEqual(['3:11', '4:18', '6:17', '10:14']);
    expect(problems[2]?.message).toBe('expected a number <= 10, got a number (11)');
  });

  it('puts the file name and place in the error message', () => {
    const error = (() => {
      try {
        parsePolicyFile(repo('version: 1\nsettings:\n  comment: sometimes\n'));
      } catch (caught) {
        return caught;
      }
      return undefined;
    })();

    expect(error).toBeInstanceOf(InputError);
    expect((error as InputError).message).toBe(
      '.github/image-assurance.yml:3:12: expected one of: always, on-failure, never; got a string ("sometimes")',
    );
  });
});

describe('src/policy/load loadPolicySet', () => {
  const ORG_FILE = [
    'version: 1',
    'extends: [preset:baseline]',
    'settings:',
    '  forks: untrusted',
    '  unscoped_images: block',
    'policies:',
    '  - name: org-critical',
    '    rules: { severity: critical }',
    'exceptions:',
    '  - { id: CVE-1, reason: r, expires: 2027-01-01 }',
  ].join('\n');
  const BASELINE = 'version: 1\npolicies:\n  - name: baseline\n    rules: { secrets: deny }\n';
  const PRODUCTION = 'version: 1\nextends: [preset:baseline]\npolicies:\n  - name: production-readiness\n';

  it('resolves extends depth first, each file once, and records source, owner and origin', async () => {
    const resolver = resolverOf({ org: ORG_FILE, 'preset:baseline': BASELINE, 'preset:production': PRODUCTION });
    const root = repo('version: 1\nextends: [preset:production, org]\npolicies:\n  - name: repo-policy\nexceptions:\n  - { id: CVE-2, reason: r, expires: 2027-01-01 }\n');

    const set = await loadPolicySet([root], resolver);

    expect(set.sources).toEqual(['preset:baseline', 'preset:production', ORG, REPO]);
    expect(set.policies.map(({ name, source, owner, origin }) => ({ name, source, owner, origin }))).toEqual([
      // baseline is extended by the organization too: the organization owns it, the repository cannot waive it.
      { name: 'baseline', source: 'preset:baseline', owner: ORG, origin: 'preset' },
      { name: 'production-readiness', source: 'preset:production', owner: REPO, origin: 'preset' },
      { name: 'org-critical', source: ORG, owner: ORG, origin: 'org' },
      { name: 'repo-policy', source: REPO, owner: REPO, origin: 'repo' },
    ]);
    expect(set.exceptions.map(({ id, source, owner }) => ({ id, source, owner }))).toEqual([
      { id: 'CVE-1', source: ORG, owner: ORG },
      { id: 'CVE-2', source: REPO, owner: REPO },
    ]);
  });

  it('lists sources in extends order: presets, the organization, the repository', async () => {
    const resolver = resolverOf({ org: ORG_FILE, 'preset:baseline': BASELINE });

    const set = await loadPolicySet([repo('version: 1\nextends: [org]\n')], resolver);

    expect(set.sources).toEqual(['preset:baseline', ORG, REPO]);
    expect(set.policies.find((policy) => policy.name === 'baseline')?.owner).toBe(ORG);
  });

  it('gives a repository its presets and several roots their own trees', async () => {
    const resolver = resolverOf({ 'preset:baseline': BASELINE });
    const other: PolicySource = { file: 'extra.yml', text: 'version: 1\npolicies:\n  - name: extra\n', origin: 'cli' };

    const set = await loadPolicySet([repo('version: 1\nextends: [preset:baseline]\n'), other], resolver);

    expect(set.sources).toEqual(['preset:baseline', REPO, 'extra.yml']);
    expect(set.policies.map((policy) => [policy.name, policy.owner])).toEqual([
      ['baseline', REPO],
      ['extra', 'extra.yml'],
    ]);
  });

  it('applies a root once when an earlier root already extends it', async () => {
    const resolver = resolverOf({ 'preset:baseline': BASELINE });
    const preset: PolicySource = { file: 'preset:baseline', text: BASELINE, origin: 'preset' };

    const set = await loadPolicySet([repo('version: 1\nextends: [preset:baseline]\n'), preset, repo('version: 1\n')], resolver);

    expect(set.sources).toEqual(['preset:baseline', REPO]);
    expect(set.policies.map((policy) => [policy.name, policy.owner])).toEqual([['baseline', REPO]]);
  });

  it('applies the defaults when no file sets anything', async () => {
    const set = await loadPolicySet([repo('version: 1\n')], noExtends);

    expect(set.settings).toEqual({ ...SETTINGS_DEFAULTS, protected_paths: [] });
    expect(set.policies).toEqual([]);
    expect(set.sources).toEqual([REPO]);
  });

  it.each([
    { name: 'a repository cannot trust forks the organization does not', org: 'forks: untrusted', repo: 'forks: trusted', key: 'forks', value: 'untrusted' },
    { name: 'a repository may distrust forks the organization trusts', org: 'forks: trusted', repo: 'forks: untrusted', key: 'forks', value: 'untrusted' },
    { name: 'the organization trusting forks applies when the repository says nothing', org: 'forks: trusted', repo: 'comment: always', key: 'forks', value: 'trusted' },
    { name: 'a repository cannot ignore missing scans', org: 'missing_scan: fail', repo: 'missing_scan: ignore', key: 'missing_scan', value: 'fail' },
    { name: 'a repository may fail missing scans', org: 'missing_scan: ignore', repo: 'missing_scan: fail', key: 'missing_scan', value: 'fail' },
    { name: 'a repository cannot allow unscoped images', org: 'unscoped_images: block', repo: 'unscoped_images: allow', key: 'unscoped_images', value: 'block' },
    { name: 'a repository may block unscoped images', org: 'unscoped_images: allow', repo: 'unscoped_images: block', key: 'unscoped_images', value: 'block' },
    { name: 'a repository cannot trust workflow changes the organization does not', org: 'workflow_changes: untrusted', repo: 'workflow_changes: trusted', key: 'workflow_changes', value: 'untrusted' },
    { name: 'a repository may distrust workflow changes the organization trusts', org: 'workflow_changes: trusted', repo: 'workflow_changes: untrusted', key: 'workflow_changes', value: 'untrusted' },
    { name: 'the organization trusting workflow changes applies when the repository says nothing', org: 'workflow_changes: trusted', repo: 'comment: always', key: 'workflow_changes', value: 'trusted' },
    { name: 'a repository may trust workflow changes when the organization says nothing', org: 'comment: never', repo: 'workflow_changes: trusted', key: 'workflow_changes', value: 'trusted' },
    { name: 'a repository cannot trust workflow changes the organization wants reviewed', org: 'workflow_changes: reviewed', repo: 'workflow_changes: trusted', key: 'workflow_changes', value: 'reviewed' },
    { name: 'a repository cannot accept reviewed workflow changes the organization distrusts', org: 'workflow_changes: untrusted', repo: 'workflow_changes: reviewed', key: 'workflow_changes', value: 'untrusted' },
    { name: 'a repository may ask for reviews of workflow changes the organization trusts', org: 'workflow_changes: trusted', repo: 'workflow_changes: reviewed', key: 'workflow_changes', value: 'reviewed' },
    { name: 'with no organization setting the repository decides', org: 'comment: never', repo: 'forks: trusted', key: 'forks', value: 'trusted' },
    { name: 'the repository overrides the check name', org: 'check_name: org-gate', repo: 'check_name: repo-gate', key: 'check_name', value: 'repo-gate' },
    { name: 'the repository overrides the comment mode', org: 'comment: never', repo: 'comment: always', key: 'comment', value: 'always' },
    { name: 'the repository overrides the artifact globs', org: 'artifacts: [org-*]', repo: 'artifacts: [repo-*]', key: 'artifacts', value: ['repo-*'] },
    { name: 'the organization sets what the repository leaves out', org: 'check_name: org-gate', repo: 'comment: always', key: 'check_name', value: 'org-gate' },
    { name: 'protected paths add up: a repository cannot remove the organization\'s', org: 'protected_paths: [scripts/scan.sh]', repo: 'protected_paths: [.github/actions/**]', key: 'protected_paths', value: ['scripts/scan.sh', '.github/actions/**'] },
    { name: 'protected paths of the organization apply when the repository names none', org: 'protected_paths: [scripts/**]', repo: 'comment: always', key: 'protected_paths', value: ['scripts/**'] },
    { name: 'a repository cannot trust VEX statements longer than the organization', org: 'vex_max_age_days: 90', repo: 'vex_max_age_days: 365', key: 'vex_max_age_days', value: 90 },
    { name: 'a repository may trust VEX statements for less time', org: 'vex_max_age_days: 90', repo: 'vex_max_age_days: 30', key: 'vex_max_age_days', value: 30 },
    { name: 'VEX statements count for 180 days unless a file says otherwise', org: 'comment: never', repo: 'comment: always', key: 'vex_max_age_days', value: 180 },
  ])('settings: $name', async ({ org, repo: repoSetting, key, value }) => {
    const resolver = resolverOf({ org: `version: 1\nsettings:\n  ${org}\n` });

    const set = await loadPolicySet([repo(`version: 1\nextends: [org]\nsettings:\n  ${repoSetting}\n`)], resolver);

    expect(set.settings[key as keyof typeof set.settings]).toEqual(value);
  });

  it("keeps each file's settings.vex with whose repository it names: the organization's or the repository's", async () => {
    const resolver = resolverOf({ org: 'version: 1\nsettings:\n  vex: [vex/**/*.json]\n' });

    const set = await loadPolicySet([repo('version: 1\nextends: [org]\nsettings:\n  vex: [.vex/*.openvex.json]\n')], resolver);

    expect(set.vex).toEqual([
      { source: 'org:acme/.github/.github/image-assurance.yml', isOrg: true, globs: ['vex/**/*.json'] },
      { source: REPO, isOrg: false, globs: ['.vex/*.openvex.json'] },
    ]);
  });

  it.each([
    { setting: 'vex: []', message: 'expected a non-empty list (leave the key out instead)' },
    { setting: 'vex_max_age_days: 0', message: 'expected a number >= 1, got a number (0)' },
    { setting: 'vex_max_age_days: 1.5', message: 'expected a whole number, got a number (1.5)' },
  ])('refuses $setting at its line', async ({ setting, message }) => {
    const problems = await problemsOfAsync(() => loadPolicySet([repo(`version: 1\nsettings:\n  ${setting}\n`)], noExtends));

    expect(problems).toEqual([expect.objectContaining({ file: REPO, line: 3, message })]);
  });

  it('keeps the floor of a preset the organization extends', async () => {
    const resolver = resolverOf({ org: 'version: 1\nextends: [preset:strict]\n', 'preset:strict': 'version: 1\nsettings:\n  missing_scan: fail\n' });

    const set = await loadPolicySet([repo('version: 1\nextends: [org]\nsettings:\n  missing_scan: ignore\n')], resolver);

    expect(set.settings.missing_scan).toBe('fail');
  });

  it('lets a repository loosen what its own preset sets', async () => {
    const resolver = resolverOf({ 'preset:strict': 'version: 1\nsettings:\n  missing_scan: fail\n  forks: untrusted\n' });

    const set = await loadPolicySet([repo('version: 1\nextends: [preset:strict]\nsettings:\n  forks: trusted\n')], resolver);

    expect(set.settings.forks).toBe('trusted');
  });

  it.each([
    {
      name: 'a repository policy named like an organization policy',
      files: { org: ORG_FILE, 'preset:baseline': BASELINE },
      root: 'version: 1\nextends: [org]\npolicies:\n  - name: mine\n  - name: org-critical\n    rules: {}\n',
      problem: { file: REPO, line: 5, col: 11 },
      message: "policy 'org-critical' is already defined by the organization (org:acme/.github/.github/image-assurance.yml)",
    },
    {
      name: 'an organization policy redefined by a preset the repository extends first',
      files: { org: 'version: 1\npolicies:\n  - name: shared\n', 'preset:mine': 'version: 1\npolicies:\n  - name: shared\n' },
      root: 'version: 1\nextends: [preset:mine, org]\n',
      problem: { file: 'preset:mine', line: 3, col: 11 },
      message: "policy 'shared' is already defined by the organization",
    },
    {
      name: 'a repository policy named like one of its presets',
      files: { 'preset:baseline': BASELINE },
      root: 'version: 1\nextends: [preset:baseline]\npolicies:\n  - name: baseline\n',
      problem: { file: REPO, line: 4, col: 11 },
      message: "policy 'baseline' is already defined in preset:baseline:3:11",
    },
    {
      name: 'an extends entry that cannot be found',
      files: {},
      root: 'version: 1\nextends:\n  - preset:nope\n',
      problem: { file: REPO, line: 3, col: 5 },
      message: "extends: 'preset:nope' cannot be found",
    },
    {
      name: 'a preset that extends itself',
      files: { 'preset:loop': 'version: 1\nextends: [preset:loop]\n' },
      root: 'version: 1\nextends: [preset:loop]\n',
      problem: { file: 'preset:loop', line: 2, col: 11 },
      message: 'extends cycle: preset:loop → preset:loop',
    },
    {
      name: 'two presets that extend each other',
      files: { 'preset:a': 'version: 1\nextends: [preset:b]\n', 'preset:b': 'version: 1\npolicies: []\nextends:\n  - preset:a\n' },
      root: 'version: 1\nextends: [preset:a]\n',
      problem: { file: 'preset:b', line: 4, col: 5 },
      message: 'extends cycle: preset:a → preset:b → preset:a',
    },
    {
      name: 'a preset that extends org',
      files: { org: ORG_FILE, 'preset:bad': 'version: 1\nextends: [org]\n' },
      root: 'version: 1\nextends: [preset:bad]\n',
      problem: { file: 'preset:bad', line: 2, col: 11 },
      message: 'a preset can extend only other presets, not org',
    },
    {
      name: 'an extends entry listed twice',
      files: { 'preset:baseline': BASELINE },
      root: 'version: 1\nextends: [preset:baseline, preset:baseline]\n',
      problem: { file: REPO, line: 2, col: 28 },
      message: "'preset:baseline' is already listed in extends",
    },
    {
      name: 'an invalid extended file, at its own place',
      files: { 'preset:broken': 'version: 1\npolicies:\n  - name: x\n    enforcment: warn\n' },
      root: 'version: 1\nextends: [preset:broken]\n',
      problem: { file: 'preset:broken', line: 4, col: 5 },
      message: "unknown key 'enforcment'",
    },
    {
      name: 'an exception for a policy the file does not have',
      files: {},
      root: 'version: 1\npolicies:\n  - name: p\nexceptions:\n  - { id: CVE-1, policies: [q], reason: r, expires: 2027-01-01 }\n',
      problem: { file: REPO, line: 5, col: 29 },
      message: "exception 'CVE-1' names an unknown policy 'q'; this file's policies: p",
    },
    {
      name: "an exception for the organization's policy",
      files: { org: ORG_FILE, 'preset:baseline': BASELINE },
      root: 'version: 1\nextends: [org]\nexceptions:\n  - id: CVE-1\n    policies:\n      - org-critical\n    reason: r\n    expires: 2027-01-01\n',
      problem: { file: REPO, line: 6, col: 9 },
      message: `exception 'CVE-1' names policy 'org-critical' of ${ORG}, which this file cannot waive`,
    },
  ])('fails on $name', async ({ files, root, problem, message }) => {
    const problems = await problemsOfAsync(() => loadPolicySet([repo(root)], resolverOf(files)));

    expect(problems[0]).toMatchObject(problem);
    expect(problems[0]?.message).toContain(message);
  });

  it('places a resolver error without a line at the extends entry', async () => {
    const resolver: ExtendsResolver = async (ref, from) => {
      throw new InputError({ file: from.file, message: `no ${ref} here` });
    };

    const problems = await problemsOfAsync(() => loadPolicySet([repo('version: 1\nextends:\n  - org\n')], resolver));

    expect(problems).toEqual([{ file: REPO, line: 3, col: 5, message: 'no org here' }]);
  });

  it("keeps a resolver error about another file where it is", async () => {
    const resolver: ExtendsResolver = async () => {
      throw new InputError({ file: ORG, message: 'not readable' });
    };

    const problems = await problemsOfAsync(() => loadPolicySet([repo('version: 1\nextends: [org]\n')], resolver));

    expect(problems).toEqual([{ file: ORG, message: 'not readable' }]);
  });

  it('passes operational errors of the resolver through unchanged', async () => {
    const failure = new Error('GitHub answered 502');
    const resolver: ExtendsResolver = async () => {
      throw failure;
    };

    await expect(loadPolicySet([repo('version: 1\nextends: [org]\n')], resolver)).rejects.toBe(failure);
  });

  it('asks the resolver once per entry even when several files extend it', async () => {
    const asked: string[] = [];
    const inner = resolverOf({ org: ORG_FILE, 'preset:baseline': BASELINE });
    const resolver: ExtendsResolver = async (ref, from) => {
      asked.push(ref);
      return inner(ref, from);
    };

    await loadPolicySet([repo('version: 1\nextends: [org, preset:baseline]\n')], resolver);

    expect(asked).toEqual(['org', 'preset:baseline']);
  });

  it('reports the problems of several files together', async () => {
    const other: PolicySource = { file: 'b.yml', text: 'version: 1\npolicies: {}\n', origin: 'cli' };

    const problems = await problemsOfAsync(() => loadPolicySet([repo('version: one\n'), other], noExtends));

    expect(problems.map((problem) => `${problem.file}:${problem.line}:${problem.col}`)).toEqual([`${REPO}:1:10`, 'b.yml:2:11']);
  });

  describe('the organization as a first root (the GitHub flow: it applies with or without extends: [org])', () => {
    const orgRoot = (text: string): PolicySource => ({ file: ORG, text, origin: 'org' });

    it('keeps its floor, owns its tree and comes first in sources, though the repository does not extend it', async () => {
      const resolver = resolverOf({ 'preset:baseline': BASELINE });
      const repoFile = repo(
        'version: 1\nsettings:\n  forks: trusted\n  missing_scan: ignore\n  unscoped_images: allow\n  workflow_changes: trusted\n  comment: always\npolicies:\n  - name: repo-policy\nexceptions:\n  - { id: CVE-2, reason: r, expires: 2027-01-01 }\n',
      );
      const org = orgRoot('version: 1\nextends: [preset:baseline]\nsettings:\n  forks: untrusted\n  missing_scan: fail\n  unscoped_images: block\n  workflow_changes: untrusted\npolicies:\n  - name: org-critical\n');

      const set = await loadPolicySet([org, repoFile], resolver);

      expect(set.settings).toMatchObject({ forks: 'untrusted', missing_scan: 'fail', unscoped_images: 'block', workflow_changes: 'untrusted', comment: 'always' });
      expect(set.sources).toEqual(['preset:baseline', ORG, REPO]);
      expect(set.policies.map((policy) => [policy.name, policy.owner])).toEqual([
        ['baseline', ORG],
        ['org-critical', ORG],
        ['repo-policy', REPO],
      ]);
      expect(set.exceptions.map((exception) => [exception.id, exception.owner])).toEqual([['CVE-2', REPO]]);
    });

    it('reads it once when the repository also lists extends: [org]', async () => {
      const asked: string[] = [];
      const resolver: ExtendsResolver = async (ref, from) => {
        asked.push(ref);
        return resolverOf({ org: 'version: 1\npolicies:\n  - name: org-critical\n', 'preset:baseline': BASELINE })(ref, from);
      };

      const set = await loadPolicySet([orgRoot('version: 1\npolicies:\n  - name: org-critical\n'), repo('version: 1\nextends: [org, preset:baseline]\n')], resolver);

      expect(set.sources).toEqual([ORG, 'preset:baseline', REPO]);
      expect(set.policies.map((policy) => [policy.name, policy.owner])).toEqual([
        ['org-critical', ORG],
        ['baseline', REPO],
      ]);
      expect(set.policies.filter((policy) => policy.name === 'org-critical')).toHaveLength(1);
    });

    it('keeps its floor over the preset that stands in for a missing repository file', async () => {
      const baseline: PolicySource = { file: 'preset:baseline', text: `${BASELINE}settings:\n  missing_scan: ignore\n`, origin: 'preset' };

      const set = await loadPolicySet([orgRoot('version: 1\nsettings:\n  missing_scan: fail\n'), baseline], noExtends);

      expect(set.settings.missing_scan).toBe('fail');
      expect(set.sources).toEqual([ORG, 'preset:baseline']);
      expect(set.policies.map((policy) => [policy.name, policy.owner])).toEqual([['baseline', 'preset:baseline']]);
    });

    it('refuses a repository exception that names an organization policy', async () => {
      const problems = await problemsOfAsync(() =>
        loadPolicySet(
          [orgRoot('version: 1\npolicies:\n  - name: org-critical\n'), repo('version: 1\nexceptions:\n  - { id: CVE-1, policies: [org-critical], reason: r, expires: 2027-01-01 }\n')],
          noExtends,
        ),
      );

      expect(problems).toEqual([expect.objectContaining({ file: REPO, line: 3, message: expect.stringContaining(`names policy 'org-critical' of ${ORG}, which this file cannot waive`) })]);
    });
  });
});
