import { describe, expect, it } from 'vitest';
import { previewPolicyChange } from '../../src/engine/preview.ts';
import { renderPreviewJson, renderPreviewMarkdown, renderPreviewText } from '../../src/render/preview.ts';
import { findLoosenings } from '../../src/policy/loosening.ts';
import { buildBundle, buildPolicy, buildPolicySet, buildVulnerability } from '../helpers/build-bundle.ts';

const NOW = new Date('2026-06-15T12:00:00Z');
const withCritical = buildBundle({ image: 'ghcr.io/acme/api:1@sha256:aaa', vulnerabilities: [buildVulnerability({ id: 'CVE-2024-0001', severity: 'critical' })] });
const withHigh = buildBundle({ image: 'ghcr.io/acme/web:1@sha256:bbb', vulnerabilities: [buildVulnerability({ id: 'CVE-2024-0002', severity: 'high' })] });
const clean = buildBundle({ image: 'ghcr.io/acme/worker:1@sha256:ccc', vulnerabilities: [] });

describe('src/engine/preview', () => {
  it('raising a threshold lists exactly the images that flip, with the rules that stop failing', () => {
    const base = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'high' } })]);
    const proposed = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'critical' } })]);

    const preview = previewPolicyChange([withCritical, withHigh, clean], base, proposed, { now: NOW });

    expect(preview.changes).toEqual([{ image: 'ghcr.io/acme/web:1', digest: 'sha256:bbb', before: 'blocked', after: 'allowed', rules_added: [], rules_removed: ['gate/severity'] }]);
    expect(preview.unchanged).toBe(2);
  });

  it('a new blocking policy lists the images it would block first', () => {
    const base = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'critical' } })]);
    const proposed = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'critical' } }), buildPolicy({ name: 'strict', rules: { severity: 'high' } })]);

    const preview = previewPolicyChange([withCritical, withHigh, clean], base, proposed, { now: NOW });

    expect(preview.changes).toEqual([
      { image: 'ghcr.io/acme/web:1', digest: 'sha256:bbb', before: 'allowed', after: 'blocked', rules_added: ['strict/severity'], rules_removed: [] },
      { image: 'ghcr.io/acme/api:1', digest: 'sha256:aaa', before: 'blocked', after: 'blocked', rules_added: ['strict/severity'], rules_removed: [] },
    ]);
    expect(preview.unchanged).toBe(1);
  });

  it('renders the table, the JSON contract and the text', () => {
    const base = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'high' } })]);
    const proposed = buildPolicySet([buildPolicy({ name: 'gate', rules: { severity: 'critical' } })]);
    const preview = previewPolicyChange([withCritical, withHigh, clean], base, proposed, { now: NOW });
    const report = { preview, loosenings: findLoosenings(base, proposed) };

    expect(renderPreviewJson(report)).toEqual({
      changes: [{ image: 'ghcr.io/acme/web:1', digest: 'sha256:bbb', before: 'blocked', after: 'allowed', rules_added: [], rules_removed: ['gate/severity'] }],
      unchanged: 2,
      loosens: [{ kind: 'rule-loosened', policy: 'gate', message: 'policy gate: severity raised high → critical' }],
    });
    const markdown = renderPreviewMarkdown(report);
    expect(markdown).toContain('### Policy preview: 1 image would be unblocked, 2 unchanged, 1 change loosen the gate');
    expect(markdown).toContain('| ghcr.io/acme/web:1 | 🚫 blocked → **✅ allowed** |  | `gate/severity` |');
    expect(markdown).toContain('- 🔓 policy gate: severity raised high → critical');
    expect(renderPreviewText(report)).toContain('  BLOCKED -> ALLOWED  ghcr.io/acme/web:1\n      - gate/severity\n');
  });
});
