import { describe, expect, it } from 'vitest';
import { groupReports } from '../../src/bundles/group-reports.ts';
import { evaluate } from '../../src/engine/evaluate.ts';
import type { Bundle } from '../../src/model/bundle.ts';
import type { Report } from '../../src/model/report.ts';
import type { Rules } from '../../src/policy/schema.ts';
import { readReport, readReportText } from '../../src/readers/index.ts';
import { buildException, buildPolicy, buildPolicySet } from '../helpers/build-bundle.ts';
import { readFixture } from '../helpers/fixtures.ts';

/** Every rule on real scanner reports, read and grouped the way the app does. */

const NOW = new Date('2026-06-15T12:00:00Z');
/** Reports that name no image join this one (as `--image` does in the CLI). */
const IMAGE = 'ghcr.io/acme/api:1.0';

function bundleOf(...fixtures: string[]): Bundle {
  const reports: Report[] = fixtures.map((fixture) => readReport(fixture, readFixture(fixture)));
  const bundles = groupReports(reports, { image: IMAGE });
  expect(bundles).toHaveLength(1);
  return bundles[0]!;
}

function violationsOf(bundle: Bundle, rules: Rules) {
  const verdict = evaluate([bundle], buildPolicySet([buildPolicy({ rules })]), { now: NOW });
  return verdict.images[0]!.policies[0]!.violations;
}

describe('src/engine/evaluate on real reports', () => {
  it.each<[string, string, Rules, [string, string | undefined][]]>([
    ['severity', 'scans/trivy/alpine-39.json', { severity: 'critical' }, [['CVE-2019-14697', 'musl'], ['CVE-2019-14697', 'musl-utils']]],
    ['severity: unknown and medium below high', 'scans/trivy/alpine-39.json', { severity: 'high' }, [['CVE-2019-14697', 'musl'], ['CVE-2019-14697', 'musl-utils']]],
    [
      'fixable_severity',
      'scans/grype/ghsa-test.json',
      { fixable_severity: 'medium' },
      [['GHSA-cfh5-3ghh-wfjx', 'httpclient']],
    ],
    ['max_cvss: v3 beats v2 (5.3 over 5.0)', 'scans/trivy/alpine-39.json', { max_cvss: 5.3 }, [
      ['CVE-2019-14697', 'musl'],
      ['CVE-2019-14697', 'musl-utils'],
      ['CVE-2019-1549', 'libcrypto1.1'],
      ['CVE-2019-1549', 'libssl1.1'],
      ['CVE-2019-1551', 'libcrypto1.1'],
      ['CVE-2019-1551', 'libssl1.1'],
    ]],
    // Grype lists GHSA-cfh5-3ghh-wfjx and the CVE it names for httpclient 4.1.1: one vulnerability, one violation.
    ['max_cvss: v2-only score', 'scans/grype/ghsa-test.json', { max_cvss: 5.8 }, [['GHSA-cfh5-3ghh-wfjx', 'httpclient']]],
    ['cves by alias', 'scans/grype/ghsa-test.json', { cves: ['cve-2014-3577'] }, [['GHSA-cfh5-3ghh-wfjx', 'httpclient']]],
    ['packages.deny with a range', 'scans/trivy/alpine-39.json', { packages: { deny: [{ name: 'musl*', version: '<1.1.20-r5' }, 'busybox'] } }, [['musl', 'musl'], ['musl-utils', 'musl-utils']]],
    ['packages.require', 'scans/grype/check_all_fields.json', { packages: { require: ['libc6', 'ca-certificates'] } }, [['ca-certificates', 'ca-certificates']]],
    ['root_user: no user in the config is root', 'scans/trivy/alpine-39.json', { root_user: 'deny' }, [['user', undefined]]],
    ['root_user: a non-root user passes', 'scans/grype/check_all_fields.json', { root_user: 'deny' }, []],
    ['root_user: no config at all fails closed', 'scans/trivy/dockerfile.json', { root_user: 'deny' }, [['user', undefined]]],
    ['base_images: an unknown base fails closed', 'scans/trivy/alpine-39.json', { base_images: ['alpine:3.*'] }, [['base-image', undefined]]],
    ['secrets', 'scans/trivy/secrets.json', { secrets: 'deny' }, [['aws-access-key-id', undefined], ['mysecret', undefined]]],
    ['misconfigurations', 'scans/dockle/many_findings.json', { misconfigurations: 'medium' }, [['CIS-DI-0001', undefined]]],
    ['misconfigurations from Trivy', 'scans/trivy/dockerfile.json', { misconfigurations: 'high' }, [['DS-0002', undefined]]],
    ['compliance, case-insensitive; a skipped check passes', 'scans/dockle/many_findings.json', { compliance: ['cis-di-0005', 'CIS-DI-0006'] }, [['CIS-DI-0005', undefined]]],
    ['licenses', 'scans/trivy/license_scheme.json', { licenses: ['zlib', 'MPL-*'] }, [['MPL-2.0', 'ca-certificates-cacert'], ['Zlib', 'zlib']]],
    ['oval: a compliance definition that is false', 'scans/openscap/arf_simple_rule_fail.xml', { oval: 'deny' }, [['oval:x:def:1', undefined]]],
    ['custom over the OS', 'scans/trivy/alpine-39.json', { custom: [{ name: 'no-eol-os', when: 'has(bundle.os) && bundle.os.eol', message: 'The base OS is end of life' }] }, [['no-eol-os', undefined]]],
    ['custom over the vulnerabilities', 'scans/grype/many_vulns2.json', { custom: [{ name: 'many-highs', when: "bundle.vulnerabilities.filter(v, v.severity == 'high').size() > 20", message: 'too many' }, { name: 'fixable-high', when: "bundle.vulnerabilities.exists(v, v.severity == 'high' && v.hasFix)", message: 'fix it' }] }, [['many-highs', undefined]]],
  ])('%s (%s)', (_name, fixture, rules, expected) => {
    const bundle = bundleOf(fixture);

    const violations = violationsOf(bundle, rules);

    expect(violations.map((v) => [v.id, v.package])).toEqual(expected);
  });

  it('explains a real violation', () => {
    const bundle = bundleOf('scans/trivy/alpine-39.json');

    const [violation] = violationsOf(bundle, { severity: 'critical' });

    expect(violation).toEqual({
      rule: 'severity',
      attribution: 'introduced',
      id: 'CVE-2019-14697',
      package: 'musl',
      version: '1.1.20-r4',
      severity: 'critical',
      cvss: 9.8,
      fixed_version: '1.1.20-r5',
      message: 'CVE-2019-14697 in musl 1.1.20-r4 is critical (the policy blocks critical and above); upgrade to 1.1.20-r5',
    });
  });

  it('malware from a clamscan log', () => {
    const log = ['/app/eicar.com: Win.Test.EICAR_HDB-1 FOUND', '/app/ok.txt: OK', '', '----------- SCAN SUMMARY -----------', 'Infected files: 1', ''].join('\n');
    const bundle = groupReports([readReportText('clamav.log', log)], { image: IMAGE })[0]!;

    const violations = violationsOf(bundle, { malware: 'deny' });

    expect(violations.map((v) => [v.id, v.location?.path])).toEqual([['Win.Test.EICAR_HDB-1', '/app/eicar.com']]);
  });

  it('a large real report: an exception waives by ID and package, an expired one is listed', () => {
    const bundle = bundleOf('scans/grype/many_vulns2.json');
    const highs = bundle.vulnerabilities.filter((v) => v.severity === 'high');
    const [first, second] = highs;
    const exceptions = [buildException({ id: first!.id, package: first!.package }), buildException({ id: second!.id, expires: '2026-06-14' })];

    const verdict = evaluate([bundle], buildPolicySet([buildPolicy({ rules: { severity: 'high' } })], exceptions), { now: NOW });
    const policy = verdict.images[0]!.policies[0]!;

    expect(policy.suppressed.map((v) => [v.id, v.package])).toEqual([[first!.id, first!.package]]);
    expect(policy.exceptions.map((e) => [e.id, e.expired])).toEqual([
      [first!.id, false],
      [second!.id, true],
    ]);
    expect(policy.violations.length + policy.suppressed.length).toBe(new Set(highs.map((v) => `${v.id} ${v.package}`)).size);
  });
});
