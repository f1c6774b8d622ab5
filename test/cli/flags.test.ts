import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli, workspace } from './helpers.ts';

const POLICY = 'version: 1\npolicies:\n  - name: production-readiness\n    rules:\n      severity: critical\n';

function trivyReport(name: string, digest?: string): string {
  return JSON.stringify({
    SchemaVersion: 2,
    ArtifactName: name,
    ArtifactType: 'container_image',
    Metadata: { RepoTags: [name], ...(digest === undefined ? {} : { RepoDigests: [`${name.split(':')[0]}@${digest}`] }), ImageConfig: { config: { User: 'app' } } },
    Results: [
      {
        Target: 'app.jar',
        Class: 'lang-pkgs',
        Type: 'jar',
        Vulnerabilities: [{ VulnerabilityID: 'CVE-2021-44228', PkgName: 'log4j-core', PkgPath: 'app/lib/log4j-core-2.14.1.jar', InstalledVersion: '2.14.1', FixedVersion: '2.17.1', Severity: 'CRITICAL' }],
      },
    ],
  });
}

const DOCKLE = JSON.stringify({ summary: { fatal: 0, warn: 1, info: 0, skip: 0, pass: 10 }, details: [{ code: 'CIS-DI-0001', title: 'Create a user for the container', level: 'WARN', alerts: ['Last user should not be root'] }] });

describe('cli: help and version', () => {
  it.each([[['--help']], [['-h']], [['help']], [['evaluate', '--help']], [['evaluate', '-h']], [['validate', '--help']], [['schema', '-h']], [['help', 'evaluate']]])('%j prints usage and exits 0', async (argv) => {
    const result = await runCli(argv, workspace({}));

    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(/^Usage: image-assurance/);
    expect(result.stderr).toBe('');
  });

  it('lists every evaluate flag of SPEC §3 and the new ones in evaluate --help', async () => {
    const result = await runCli(['evaluate', '--help'], workspace({}), { isTTY: true, columns: 200 });

    for (const flag of ['--policy', '--report', '--image', '--branch', '--env', '--now', '-f, --format', '-o, --output', '-q, --quiet', '--limit', '--exit-code', '--org-policy']) {
      expect(result.stdout).toContain(flag);
    }
  });

  it('prints the version from package.json', async () => {
    const result = await runCli(['--version'], workspace({}));

    expect(result.code).toBe(0);
    expect(result.stdout).toBe(`${JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version}\n`);
  });
});

describe('cli/evaluate flags', () => {
  it('-o FILE writes the result there and nothing to stdout', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'r.json': trivyReport('ghcr.io/acme/api:1') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '-f', 'json', '-o', 'out/verdict.json'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: out\/verdict\.json: the output file cannot be written \(ENOENT\)\n$/);

    const written = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '--format', 'json', '--output', 'verdict.json'], cwd, { isTTY: true, env: { TERM: 'xterm' } });

    expect(written).toMatchObject({ code: 1, stdout: '', stderr: '' });
    expect(JSON.parse(readFileSync(join(cwd, 'verdict.json'), 'utf8')).images[0].image).toBe('ghcr.io/acme/api:1');
  });

  it('-o FILE gets text without colour even from a terminal', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'r.json': trivyReport('ghcr.io/acme/api:1') });

    await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '-o', 'verdict.txt'], cwd, { isTTY: true, env: { TERM: 'xterm-256color' } });

    const text = readFileSync(join(cwd, 'verdict.txt'), 'utf8');
    expect(text).toContain('CVE-2021-44228');
    expect(text).not.toContain('\u001b[');
  });

  it('-q prints nothing, not even the default-policy note, and keeps the exit code', async () => {
    const cwd = workspace({ 'r.json': trivyReport('ghcr.io/acme/api:1') });

    const quiet = await runCli(['evaluate', '--report', 'r.json', '-q'], cwd);
    const loud = await runCli(['evaluate', '--report', 'r.json'], cwd);

    expect(quiet).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(loud.stderr).toBe('image-assurance: no --policy given; using preset:baseline\n');
  });

  it('-q with -o still writes the file', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'r.json': trivyReport('ghcr.io/acme/api:1') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '-q', '-o', 'v.txt'], cwd);

    expect(result).toEqual({ code: 1, stdout: '', stderr: '' });
    expect(existsSync(join(cwd, 'v.txt'))).toBe(true);
  });

  it.each([
    ['3', 3],
    ['0', 0],
  ])('--exit-code %s is the exit code of a block', async (flag, code) => {
    const cwd = workspace({ 'policy.yml': POLICY, 'r.json': trivyReport('ghcr.io/acme/api:1') });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '--exit-code', flag, '-q'], cwd);

    expect(result.code).toBe(code);
  });

  it('--exit-code leaves an allowed image at 0 and bad input at 2', async () => {
    const cwd = workspace({ 'policy.yml': 'version: 1\npolicies:\n  - name: p\n    rules:\n      max_cvss: 10\n', 'r.json': trivyReport('ghcr.io/acme/api:1'), 'bad.json': '{}' });

    const allowed = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'r.json', '--exit-code', '5', '-q'], cwd);
    const bad = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'bad.json', '--exit-code', '5', '-q'], cwd);

    expect(allowed.code).toBe(0);
    expect(bad.code).toBe(2);
  });

  it('--report - reads one report from standard input', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'dockle/dockle.json': DOCKLE });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', '-', '--format', 'json'], cwd, { stdin: trivyReport('ghcr.io/acme/api:1') });

    expect(result.code).toBe(1);
    const [image] = JSON.parse(result.stdout).images;
    expect(image.image).toBe('ghcr.io/acme/api:1');
    expect(image.reports).toEqual([{ path: '(stdin)', format: 'trivy-json', tool: 'trivy' }]);
  });

  it('--report - names (stdin) in a bad-input message', async () => {
    const result = await runCli(['evaluate', '--report', '-', '-q'], workspace({}), { stdin: '{"hello": 1}' });

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: \(stdin\): not a recognized report/);
  });

  it('--image names every report when they describe one image', async () => {
    const cwd = workspace({ 'policy.yml': POLICY, 'scan/trivy.json': trivyReport('localhost:5000/api:ci', 'sha256:1111'), 'scan/dockle.json': DOCKLE });

    const result = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'scan', '--image', 'ghcr.io/acme/api:1.2.3', '-f', 'json'], cwd);

    const images = JSON.parse(result.stdout).images;
    expect(images).toHaveLength(1);
    expect(images[0]).toMatchObject({ image: 'ghcr.io/acme/api:1.2.3', digest: 'sha256:1111' });
    expect(images[0].reports).toHaveLength(2);
  });

  it('--image with reports of two images is exit 2 naming both', async () => {
    const cwd = workspace({ 'a.json': trivyReport('ghcr.io/acme/api:1'), 'b.json': trivyReport('ghcr.io/acme/web:1') });

    const result = await runCli(['evaluate', '--report', 'a.json', 'b.json', '--image', 'ghcr.io/acme/api:1', '-q'], cwd);

    expect(result.code).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toBe(
      'image-assurance: command line: --image ghcr.io/acme/api:1 names one image, but the reports name 2 (ghcr.io/acme/api:1, ghcr.io/acme/web:1): pass the reports of one image, or drop --image\n',
    );
  });
});

describe('cli/evaluate output formats', () => {
  it('names the tool version in JSON and in SARIF, and gives each image its own SARIF run', async () => {
    const version = JSON.parse(readFileSync(join(import.meta.dirname, '../../package.json'), 'utf8')).version;
    const cwd = workspace({ 'policy.yml': POLICY, 'a.json': trivyReport('ghcr.io/acme/api:1'), 'b.json': trivyReport('ghcr.io/acme/web:1') });

    const json = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'a.json', 'b.json', '-f', 'json'], cwd);
    const sarif = await runCli(['evaluate', '--policy', 'policy.yml', '--report', 'a.json', 'b.json', '-f', 'sarif'], cwd);

    expect(JSON.parse(json.stdout).tool).toEqual({ name: 'image-assurance', version });
    const runs = JSON.parse(sarif.stdout).runs;
    expect(runs.map((run: { automationDetails: { id: string } }) => run.automationDetails.id)).toEqual(['image-assurance/ghcr.io/acme/api/', 'image-assurance/ghcr.io/acme/web/']);
    expect(runs[0].tool.driver.version).toBe(version);
    expect(runs[0].results[0].locations[0].physicalLocation.artifactLocation.uri).toBe('policy.yml');
  });
});

describe('cli/validate without a file', () => {
  it('validates .github/image-assurance.yml', async () => {
    const cwd = workspace({ '.github/image-assurance.yml': POLICY });

    const result = await runCli(['validate'], cwd);

    expect(result).toEqual({ code: 0, stdout: '.github/image-assurance.yml: ok\n', stderr: '' });
  });

  it('reports errors in .github/image-assurance.yml with file:line:col', async () => {
    const cwd = workspace({ '.github/image-assurance.yml': 'version: 1\npolicies:\n  - name: p\n    rules:\n      severty: high\n' });

    const result = await runCli(['validate'], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^image-assurance: \.github\/image-assurance\.yml:5:7: unknown key 'severty'/);
  });

  it('is exit 2 with one line when there is no .github/image-assurance.yml', async () => {
    const result = await runCli(['validate'], workspace({}));

    expect(result.code).toBe(2);
    expect(result.stderr).toBe('image-assurance: .github/image-assurance.yml: no such file: validate checks it when given no FILE; name the policy files to check\n');
  });
});
