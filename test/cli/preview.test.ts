import { describe, expect, it } from 'vitest';
import { fixturePath } from '../helpers/fixtures.ts';
import { runCli, workspace } from './helpers.ts';

const STRICT = `version: 1
policies:
  - name: gate
    rules:
      severity: high
`;
const LOOSE = `version: 1
policies:
  - name: gate
    rules:
      severity: critical
`;
const REPORTS = ['scans/trivy/alpine-39.json', 'scans/trivy/ubi-7-comprehensive.json', 'scans/trivy/debian-stretch.json', 'scans/grype/chainguard-ruby-test.json'];

interface JsonVerdict {
  images: { image: string; allowed: boolean }[];
}

describe('image-assurance preview', () => {
  it('agrees image by image with evaluate run under each policy, on real reports', async () => {
    const cwd = workspace({ 'strict.yml': STRICT, 'loose.yml': LOOSE });
    const reports = REPORTS.map(fixturePath);
    const now = ['--now', '2026-06-15'];

    const preview = await runCli(['preview', '--base-policy', 'strict.yml', '--policy', 'loose.yml', '--report', ...reports, '--format', 'json', ...now], cwd);
    const before = await runCli(['evaluate', '--policy', 'strict.yml', '--report', ...reports, '--format', 'json', ...now], cwd);
    const after = await runCli(['evaluate', '--policy', 'loose.yml', '--report', ...reports, '--format', 'json', ...now], cwd);

    expect(preview.stderr).toBe('');
    expect(preview.code).toBe(0);
    const json = JSON.parse(preview.stdout) as { changes: { image: string; before: string; after: string; rules_removed: string[] }[]; unchanged: number; loosens: { message: string }[] };
    const stateOf = (verdict: JsonVerdict, image: string): string => (verdict.images.find((entry) => entry.image === image)!.allowed ? 'allowed' : 'blocked');
    const beforeVerdict = JSON.parse(before.stdout) as JsonVerdict;
    const afterVerdict = JSON.parse(after.stdout) as JsonVerdict;
    const flipped = beforeVerdict.images.filter((image) => stateOf(beforeVerdict, image.image) !== stateOf(afterVerdict, image.image)).map((image) => image.image);
    expect(flipped.length).toBeGreaterThan(0);
    expect(json.changes.filter((change) => change.before !== change.after).map((change) => change.image).sort()).toEqual(flipped.sort());
    for (const change of json.changes) {
      expect(change.before).toBe(stateOf(beforeVerdict, change.image));
      expect(change.after).toBe(stateOf(afterVerdict, change.image));
    }
    expect(json.changes.length + json.unchanged).toBe(beforeVerdict.images.length);
    expect(json.loosens).toEqual([expect.objectContaining({ message: 'policy gate: severity raised high → critical' })]);
  });

  it('says what it needs, exit 2', async () => {
    const cwd = workspace({ 'loose.yml': LOOSE });

    const result = await runCli(['preview', '--policy', 'loose.yml', '--report', fixturePath(REPORTS[0]!)], cwd);

    expect(result.code).toBe(2);
    expect(result.stderr).toBe("image-assurance: command line: required option '--base-policy <FILE...>' not specified\n");
  });
});
