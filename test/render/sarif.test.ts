import { describe, expect, it } from 'vitest';

import { renderSarif } from '../../src/render/sarif.ts';
import { blockedVerdict, DIGEST, emptyVerdict, image, log4jViolation, policy, verdict } from './helpers.ts';

interface SarifLog {
  version: string;
  runs: {
    tool: { driver: { name: string; version: string; rules: { id: string; help: { text: string; markdown: string }; helpUri: string; properties: Record<string, unknown> }[] } };
    automationDetails?: { id: string };
    results: { ruleId: string; ruleIndex: number; level: string; message: { text: string }; locations: { physicalLocation: { artifactLocation: { uri: string }; region: { startLine: number } }; logicalLocations: { name: string; kind: string }[] }[]; properties: Record<string, unknown> }[];
  }[];
}

describe('src/render/sarif', () => {
  it('writes one run per image, told apart by automationDetails.id, with one rule per (policy, rule key) and one result per violation', () => {
    const sarif = renderSarif(blockedVerdict(), { toolVersion: '1.2.3' }) as SarifLog;

    const run = sarif.runs[0]!;
    expect(sarif.version).toBe('2.1.0');
    expect(sarif.runs.map((each) => each.automationDetails?.id)).toEqual(['image-assurance/ghcr.io/acme/api/', 'image-assurance/docker.io/library/alpine/']);
    expect(run.tool.driver).toMatchObject({ name: 'image-assurance', version: '1.2.3' });
    expect(run.tool.driver.rules.map((rule) => rule.id)).toEqual([
      'production-readiness/fixable_severity',
      'production-readiness/root_user',
      'production-readiness/severity',
      'license-review/licenses',
    ]);
    expect(run.results).toHaveLength(4);
    expect(sarif.runs[1]!.results).toEqual([]);
    for (const result of run.results) expect(run.tool.driver.rules[result.ruleIndex]!.id).toBe(result.ruleId);
  });

  it('gives every rule help text and a link to its documentation', () => {
    const rules = (renderSarif(blockedVerdict(), { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.tool.driver.rules;

    const rootUser = rules.find((rule) => rule.id === 'production-readiness/root_user')!;
    expect(rootUser.help.text).toMatch(/^The image runs as root\. Add a USER instruction/);
    expect(rootUser.help.markdown).toContain('[Rule `root_user`](https://www.npmjs.com/package/image-assurance#root_user)');
    expect(rootUser.helpUri).toBe('https://www.npmjs.com/package/image-assurance#root_user');
    for (const rule of rules) expect(rule.helpUri).toMatch(/^https:\/\//);
  });

  it.each([
    ['block', 'error'],
    ['warn', 'warning'],
  ] as const)('marks a %s policy violation as %s', (enforcement, level) => {
    const input = verdict([image({ image: 'ghcr.io/acme/api:1', digest: DIGEST, policies: [policy({ name: 'p', enforcement, violations: [log4jViolation()] })] })]);

    const result = (renderSarif(input, { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.results[0]!;

    expect(result.level).toBe(level);
    expect(result.message.text).toBe(log4jViolation().message);
    expect(result.properties).toMatchObject({ image: 'ghcr.io/acme/api:1', digest: DIGEST, policy: 'p', severity: 'critical', cvss: 10 });
  });

  it.each([
    ['no location: the policy file', undefined, '.github/image-assurance.yml', 'policy.yml', 1],
    ['a location in the image: the policy file', { path: '/app/lib/log4j.jar' }, '.github/image-assurance.yml', 'policy.yml', 1],
    ['a Dockerfile line', { path: 'Dockerfile', line: 4 }, '.github/image-assurance.yml', 'Dockerfile', 4],
    ['a Dockerfile in a folder, with a space', { path: 'services/my api/Dockerfile.prod', line: 2 }, '.github/image-assurance.yml', 'services/my%20api/Dockerfile.prod', 2],
    ['a Containerfile with a lone surrogate', { path: '/src/\uD800/Containerfile' }, '.github/image-assurance.yml', 'src/%EF%BF%BD/Containerfile', 1],
    ["a preset's rule: the first repository policy file applied", undefined, 'preset:baseline', '.github/image-assurance.yml', 1],
  ])('locates a result at %s', (_name, location, source, uri, line) => {
    const input = verdict([image({ image: 'ghcr.io/acme/api:1', policies: [policy({ name: 'p', source, violations: [log4jViolation(location === undefined ? {} : { location })] })] })], { sources: ['preset:baseline', '.github/image-assurance.yml'] });
    if (source === '.github/image-assurance.yml') input.images[0]!.policies[0]!.source = 'policy.yml';

    const where = (renderSarif(input, { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.results[0]!.locations[0]!;

    expect(where.physicalLocation).toEqual({ artifactLocation: { uri }, region: { startLine: line } });
    expect(where.logicalLocations[0]!.name).toBe('ghcr.io/acme/api:1');
  });

  it('keeps a path inside the image as a logical location', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ location: { path: 'app/lib/log4j.jar' } })] })] })]);

    const where = (renderSarif(input, { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.results[0]!.locations[0]!;

    expect(where.logicalLocations[1]).toEqual({ name: 'app/lib/log4j.jar', kind: 'resource' });
  });

  it('gives each rule the highest security-severity of its violations, as a string', () => {
    const input = verdict([
      image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ cvss: 7.5 }), log4jViolation({ id: 'B', cvss: 9.8 })] })] }),
    ]);

    const rule = (renderSarif(input, { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.tool.driver.rules[0]!;

    expect(rule.properties['security-severity']).toBe('9.8');
  });

  it('never writes an empty message', () => {
    const input = verdict([image({ image: 'x', policies: [policy({ name: 'p', violations: [log4jViolation({ message: ' ' })] })] })]);

    const result = (renderSarif(input, { toolVersion: '1.2.3' }) as SarifLog).runs[0]!.results[0]!;

    expect(result.message.text).toBe('severity: CVE-2021-44228');
  });

  it('writes an empty run for an empty verdict', () => {
    const sarif = renderSarif(emptyVerdict(), { toolVersion: '1.2.3' }) as SarifLog;

    expect(sarif.runs[0]!.results).toEqual([]);
  });
});
