import { copyFileSync, mkdirSync, openSync, closeSync, ftruncateSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { readNow } from '../../src/cli/options.ts';
import { fixturePath } from '../helpers/fixtures.ts';
import { runCli, workspace } from './helpers.ts';

const POLICY = `version: 1
policies:
  - name: production-readiness
    rules:
      severity: critical
      fixable_severity: high
`;

const TRIVY_LOG4J = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'ghcr.io/acme/api:1.2.3',
  ArtifactType: 'container_image',
  Metadata: {
    RepoTags: ['ghcr.io/acme/api:1.2.3'],
    RepoDigests: ['ghcr.io/acme/api@sha256:1111111111111111111111111111111111111111111111111111111111111111'],
    ImageConfig: { config: { User: 'app' } },
  },
  Results: [
    {
      Target: 'app.jar',
      Class: 'lang-pkgs',
      Type: 'jar',
      Vulnerabilities: [
        {
          VulnerabilityID: 'CVE-2021-44228',
          PkgName: 'log4j-core',
          InstalledVersion: '2.14.1',
          FixedVersion: '2.17.1',
          Severity: 'CRITICAL',
          CVSS: { nvd: { V3Score: 10 } },
        },
      ],
    },
  ],
});

const CLEAN = JSON.stringify({
  SchemaVersion: 2,
  ArtifactName: 'ghcr.io/acme/web:2.0.0',
  ArtifactType: 'container_image',
  Metadata: { RepoTags: ['ghcr.io/acme/web:2.0.0'], ImageConfig: { config: { User: 'app' } } },
  Results: [],
});

describe('cli/evaluate', () => {
  it('blocks an image with a critical vulnerability and exits 1 with the contract JSON', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'reports/trivy.json': TRIVY_LOG4J });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'reports', '--format', 'json', '--now', '2026-11-26'], cwd);

    expect(result.code).toBe(1);
    const verdict = JSON.parse(result.stdout);
    expect(verdict.allowed).toBe(false);
    expect(verdict.images[0]).toMatchObject({
      image: 'ghcr.io/acme/api:1.2.3',
      digest: 'sha256:1111111111111111111111111111111111111111111111111111111111111111',
      allowed: false,
    });
    const policy = verdict.images[0].policies[0];
    expect(policy).toMatchObject({ name: 'production-readiness', enforcement: 'block', passed: false });
    expect(policy.violations).toContainEqual(
      expect.objectContaining({ rule: 'severity', id: 'CVE-2021-44228', package: 'log4j-core', version: '2.14.1', severity: 'critical', cvss: 10, fixed_version: '2.17.1' }),
    );
  });

  it('allows a clean image and exits 0', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'trivy.json': CLEAN });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'trivy.json', '--format', 'json'], cwd);

    expect(result.stderr).toBe('');
    expect(result.code).toBe(0);
    expect(JSON.parse(result.stdout).allowed).toBe(true);
  });

  it('takes several files after one --policy and one --report, as SPEC §3 writes it', async () => {
    const cwd = workspace({ 'a.yml': POLICY, 'b.yml': 'version: 1\npolicies:\n  - name: extra\n    rules: { secrets: deny }\n', 'r1.json': TRIVY_LOG4J, 'r2.json': CLEAN });

    const result = await runCli(['evaluate', '--policy', 'a.yml', 'b.yml', '--report', 'r1.json', 'r2.json', '--format', 'json'], cwd);

    expect(result.code).toBe(1);
    const verdict = JSON.parse(result.stdout);
    expect(verdict.images.map((image: { image: string }) => image.image).sort()).toEqual(['ghcr.io/acme/api:1.2.3', 'ghcr.io/acme/web:2.0.0']);
  });

  it.each(['text', 'markdown', 'sarif'])('renders --format %s', async (format) => {
    const cwd = workspace({ 'policy.yml': POLICY, 'trivy.json': TRIVY_LOG4J });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'trivy.json', '--format', format], cwd);

    expect(result.code).toBe(1);
    expect(result.stdout).toContain('CVE-2021-44228');
    if (format === 'sarif') expect(JSON.parse(result.stdout).version).toBe('2.1.0');
    if (format === 'text') expect(result.stdout).not.toContain('\u001b[');
  });

  it('colours text only on a TTY', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'trivy.json': TRIVY_LOG4J });

    const onTerminal = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'trivy.json'], cwd, { isTTY: true, env: { TERM: 'xterm-256color' } });
    const noColor = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'trivy.json'], cwd, { isTTY: true, env: { TERM: 'xterm-256color', NO_COLOR: '1' } });
    const forcedIntoPipe = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'trivy.json'], cwd, { env: { FORCE_COLOR: '1' } });

    expect(onTerminal.stdout).toContain('\u001b[');
    expect(noColor.stdout).not.toContain('\u001b[');
    expect(forcedIntoPipe.stdout).toContain('\u001b[');
  });

  it('judges the worked example in examples/ as the README says', async () => {
    const root = join(import.meta.dirname, '../..');

    const result = await runCli(['evaluate', '--policy', 'examples/image-assurance.yml', '--report', 'examples/reports', '--format', 'json', '--now', '2026-11-26'], root);

    expect(result.code).toBe(1);
    const [image] = JSON.parse(result.stdout).images;
    const readiness = image.policies.find((p: { name: string }) => p.name === 'production-readiness');
    const rules = readiness.violations.map((v: { rule: string }) => v.rule);
    expect(rules).toEqual(expect.arrayContaining(['severity', 'root_user', 'compliance']));
    expect(readiness.exceptions).toContainEqual(expect.objectContaining({ id: 'CVE-2024-6119', expired: false }));
  });

  it('evaluates a real Trivy fixture read in place', async () => {
    const cwd = workspace({ 'policy.yml': POLICY });
    mkdirSync(join(cwd, 'reports'));
    copyFileSync(fixturePath('scans/trivy/juice-shop-v10.2.0.json'), join(cwd, 'reports/juice-shop.json'));

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'reports', '--format', 'json'], cwd);

    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout).images[0].image).toBe('docker.io/bkimminich/juice-shop:v10.2.0');
  });

  it('reads reports and policies given by absolute path, outside the working folder', async () => {
    const policyDir = workspace({ 'policy.yml': POLICY });
    const cwd = workspace({});

    const asFile = await runCli(['evaluate', '--policy', join(policyDir, 'policy.yml'), '--report', fixturePath('scans/trivy/alpine-39.json'), '--format', 'json'], cwd);
    const asFolder = await runCli(['evaluate', '--policy', join(policyDir, 'policy.yml'), '--report', join(policyDir, '..', 'does-not-exist'), '--format', 'json'], cwd);

    expect(asFile.stderr).toBe('');
    expect(JSON.parse(asFile.stdout).images[0].image).toBe('ghcr.io/aquasecurity/trivy-test-images:alpine-39');
    expect(asFolder.code).toBe(2);
  });
});

describe('cli/evaluate --now', () => {
  it.each([
    ['a date is the start of that day, UTC', '2027-03-31', '2027-03-31T00:00:00.000Z'],
    ['a time with Z', '2027-03-31T23:59:59Z', '2027-03-31T23:59:59.000Z'],
    ['a time without a zone is UTC too, whatever the machine', '2027-03-31T23:59:59', '2027-03-31T23:59:59.000Z'],
    ['a time with an offset', '2027-03-31T23:59:59+02:00', '2027-03-31T21:59:59.000Z'],
  ])('%s: %s', (_name, raw, expected) => {
    // A machine west of UTC, where a zone-less time read as local time would be off by hours.
    const zone = process.env['TZ'];
    process.env['TZ'] = 'America/New_York';
    try {
      expect(readNow(raw).toISOString()).toBe(expected);
    } finally {
      if (zone === undefined) delete process.env['TZ'];
      else process.env['TZ'] = zone;
    }
  });
});

describe('cli/evaluate bad input', () => {
  const BAD_REPORTS: [string, string | Uint8Array, RegExp][] = [
    ['an empty file', '', /^image-assurance: reports\/r\.json(:\d+:\d+)?: .*empty/m],
    ['truncated JSON', TRIVY_LOG4J.slice(0, 200), /^image-assurance: reports\/r\.json:1:\d+: .*/m],
    ['JSON of an unknown shape', '{"hello": "world"}', /^image-assurance: reports\/r\.json(:\d+:\d+)?: .*not a recognized report/m],
    ['a binary file', new Uint8Array([0x7f, 0x45, 0x4c, 0x46, 0, 0, 1, 2, 3, 0, 255, 254]), /^image-assurance: reports\/r\.json(:\d+:\d+)?: .*binary/m],
  ];

  it.each(BAD_REPORTS)('%s exits 2 with one message naming the file', async (_name, content, expected) => {
    const cwd = workspace({ 'policy.yml': POLICY, 'reports/r.json': content });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'reports'], cwd);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(expected);
    expect(result.stderr.trim().split('\n')).toHaveLength(1);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it('a 200 MB report exits 2 before reading it', async () => {
    const cwd = workspace({ 'policy.yml': POLICY });
    const fd = openSync(join(cwd, 'huge.json'), 'w');
    ftruncateSync(fd, 200 * 1024 * 1024);
    closeSync(fd);

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'huge.json'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: huge\.json: report is 200 MB, over the \d+ MB limit\n$/);
  });

  const BAD_POLICIES: [string, string, RegExp][] = [
    ['a typo\'d key', 'version: 1\npolicies:\n  - name: p\n    rules:\n      severty: high\n', /^image-assurance: policy\.yml:5:7: .*severty/m],
    ['a wrong type', 'version: 1\npolicies:\n  - name: p\n    rules:\n      max_cvss: high\n', /^image-assurance: policy\.yml:5:17: .*number/m],
    ['a duplicate policy name', 'version: 1\npolicies:\n  - name: p\n  - name: p\n', /^image-assurance: policy\.yml:4:\d+: .*duplicate/im],
    ['an invalid CEL expression', 'version: 1\npolicies:\n  - name: p\n    rules:\n      custom:\n        - name: c\n          when: "bundle.os.eol &&"\n          message: m\n', /^image-assurance: policy\.yml:7:\d+: /m],
    ['a date that is not a date', 'version: 1\nexceptions:\n  - id: CVE-1\n    reason: r\n    expires: 2027-02-30\n', /^image-assurance: policy\.yml:5:14: .*date/m],
  ];

  it.each(BAD_POLICIES)('a policy with %s exits 2 naming file:line:col', async (_name, policy, expected) => {
    const cwd = workspace({ 'policy.yml': policy, 'r.json': CLEAN });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stderr).not.toMatch(/\n\s+at /);
  });

  it.each([
    [['evaluate', '--report'], /^image-assurance: command line: option '--report <FILE_OR_DIR...>' argument missing\n$/],
    [['evaluate', '--policy', 'p.yml'], /^image-assurance: command line: required option '--report <FILE_OR_DIR...>' not specified\n$/],
    [['evaluate', '--report', 'r.json', '--format', 'xml'], /argument 'xml' is invalid\. Allowed choices are text, json, markdown, sarif\.\n$/],
    [['evaluate', '--report', 'r.json', '--now', 'tomorrow'], /--now "tomorrow" is not an ISO date/],
    [['evaluate', '--report', 'missing.json'], /missing\.json: no such file or folder/],
    [['evaluate', '--report', 'r.json', '--limit', '-3'], /'--limit <N>' argument '-3' is invalid\. expected a whole number/],
    [['evaluate', '--report', 'r.json', '--exit-code', '256'], /'--exit-code <N>' argument '256' is invalid\. expected a whole number from 0 to 255/],
    [['evaluate', '--report', 'r.json', '--bogus'], /^image-assurance: command line: unknown option '--bogus'\n$/],
    [['evaluate', '--report', 'r.json', '--formt', 'json'], /^image-assurance: command line: unknown option '--formt' \(did you mean --format\?\)\n$/],
    [['evalute'], /^image-assurance: command line: unknown command 'evalute' \(did you mean evaluate\?\)\n$/],
    [['frobnicate'], /unknown command 'frobnicate'/],
    [[], /Usage: image-assurance/],
  ])('usage error %j exits 2 with one line', async (argv, expected) => {
    const cwd = workspace({ 'r.json': CLEAN });

    const result = await runCli(argv, cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(expected);
    expect(result.stdout).toBe('');
  });
});
