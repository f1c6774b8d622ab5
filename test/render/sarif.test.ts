import { describe, expect, it } from 'vitest';

import { renderSarif } from '../../src/render/sarif.ts';
import { blockedVerdict, DIGEST, emptyVerdict, image, log4jViolation, policy, verdict } from './helpers.ts';

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; rules: { id: string; properties: Record<string, unknown> }[] } };
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: { name: string }[] }[]; properties: Record<string, unknown> }[];
  }[];
}

describe('src/render/sarif', () => {
  it('writes one run, one rule per (policy, rule key) and one result per violation', () => {
    const sarif = renderSarif(blockedVerdict()) as SarifLog;

    const run = sarif.runs[0]!;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs).toHaveLength(1);
    expect(run.tool.driver.name).toBe('image-assurance');
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual([
      'production-readiness/fixable_severity',
      'production-readiness/root_user',
      'production-readiness/severity',
      'license-review/licenses',
    ]);
    expect(run.results).toHaveLength(4);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it.each([
    ['block', 'error'],
    ['warn', 'warning'],
  ] as const)('marks a %s policy violation as %s', (enforcement, level) => {
    const input = verdict([image({ image: 'ghcr.io/acme/api:1', digest: DIGEST, policies: [policy({ name: 'p', enforcement, violations: [log4jViolation()] })] })]);

    const result = (renderSarif(input) as SarifLog).runs[0]!.results[0]!;

    expect(result.level).toBe(level);
    expect(result.message.text).toBe(log4jViolation().message);
    expect(result.properties).toMatchObject({ image: 'ghcr.io/acme/api:1', digest: DIGEST, policy: 'p', severity: 'critical', cvss: 10 });
  });

  it.each([
    ['no location: the image', undefined, 'ghcr.io/acme/api', 1],
    ['a location in the image', { path: '/app/lib/log4j.jar' }, 'app/lib/log4j.jar', 1],
    ['a Dockerfile line', { path: 'Dockerfile', line: 4 }, 'Dockerfile', 4],
    ['a path with a space', { path: '/opt/my app/lib.jar' }, 'opt/my%20app/lib.jar', 1],
    ['a path with a lone surrogate', { path: '/opt/\uD800.jar' }, 'opt/%EF%BF%BD.jar', 1],
  ])('locates a result at %s', (_name, location, uri, line) => {
    const input = verdict([image({ image: 'ghcr.io/acme/api:1', policies: [policy({ name: 'p', violations: [log4jViolation(location === undefined ? {} : { location })] })] })]);

    const where = (renderSarif(input) as SarifLog).runs[0]!.results[0]!.locations[0]!;

    expect(where.physicalLocation).toEqual({ artifactLocation: { uri }, region: { startLine: line } });
    expect(where.logicalLocations[0]!.name).toBe('ghcr.io/acme/api:1');
  });

  it('gives each rule the highest security-severity of its violations, as a string', () => {
    const input = verdict([
      image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ cvss: 7.5 }), log4jViolation({ id: 'B', cvss: 9.8 })] })] }),
    ]);

    const rule = (renderSarif(input) as SarifLog).runs[0]!.tool.driver.rules[0]!;

    expect(rule.properties['security-severity']).toBe('9.8');
  });

  it('never writes an empty message', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ message: ' ' })] })] })]);

    const result = (renderSarif(input) as SarifLog).runs[0]!.results[0]!;

    expect(result.message.text).toBe('severity: CVE-2021-44228');
  });

  it('writes an empty run for an empty verdict', () => {
    const sarif = renderSarif(emptyVerdict()) as SarifLog;

    expect(sarif.runs[0]!.results).toEqual([]);
  });
});
