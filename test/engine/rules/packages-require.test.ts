import { describe, expect, it } from 'vitest';
import { buildBundle, buildException, buildPackage, buildVulnerability } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

describe('src/engine/rules/packages-require', () => {
  it.each([
    ['present', ['ca-certificates', 'musl'], []],
    ['missing', ['ca-certificates', 'musl', 'tzdata'], ['tzdata']],
    ['names are exact', ['CA-Certificates'], ['CA-Certificates']],
    ['a Maven artifactId names groupId:artifactId (Trivy)', ['log4j-core'], []],
    ['so does the full Maven name', ['org.apache.logging.log4j:log4j-core'], []],
    ['another artifactId', ['log4j-api'], ['log4j-api']],
  ])('%s', (_name, required, missing) => {
    const bundle = buildBundle({
      packages: [buildPackage({ name: 'ca-certificates' }), buildPackage({ name: 'musl' }), buildPackage({ name: 'org.apache.logging.log4j:log4j-core', type: 'jar' })],
    });

    const { violations } = evaluateRules(bundle, { packages: { require: required } });

    expect(violations.map((v) => v.id)).toEqual(missing);
  });

  it('says the package is missing', () => {
    const bundle = buildBundle({ packages: [buildPackage({ name: 'musl' })] });

    const [violation] = evaluateRules(bundle, { packages: { require: ['ca-certificates'] } }).violations;

    expect(violation).toEqual({
      rule: 'packages.require',
      attribution: 'introduced',
      id: 'ca-certificates',
      package: 'ca-certificates',
      message: 'ca-certificates is required by the policy but is not installed in the image; install it',
    });
  });

  it('counts a package a vulnerability names as present', () => {
    const bundle = buildBundle({ vulnerabilities: [buildVulnerability({ package: 'ca-certificates' })] });

    const verdict = evaluateRules(bundle, { packages: { require: ['ca-certificates'] } });

    expect(verdict.passed).toBe(true);
  });

  it('fails closed when no report lists packages, and says why', () => {
    const bundle = buildBundle();

    const [violation] = evaluateRules(bundle, { packages: { require: ['ca-certificates'] } }).violations;

    expect(violation?.message).toContain('no report lists the image');
  });

  it('fails closed, saying it could not verify, when the reports name only vulnerable packages (Grype, Trivy without a package list)', () => {
    const bundle = buildBundle({
      packages: [buildPackage({ name: 'openssl' })],
      vulnerabilities: [buildVulnerability({ package: 'openssl' }), buildVulnerability({ id: 'CVE-2024-2', package: 'zlib' })],
    });

    const [violation] = evaluateRules(bundle, { packages: { require: ['ca-certificates'] } }).violations;

    expect(violation?.message).toBe(
      "ca-certificates is required by the policy, but the reports list only the image's vulnerable packages, so it could not be verified; scan with a full package list (e.g. trivy --list-all-pkgs)",
    );
  });

  it('is waived by an exception naming the package', () => {
    const bundle = buildBundle();

    const verdict = evaluateRules(bundle, { packages: { require: ['ca-certificates'] } }, [buildException({ id: 'ca-certificates' })]);

    expect(verdict.passed).toBe(true);
  });
});
