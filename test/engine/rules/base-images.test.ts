import { describe, expect, it } from 'vitest';
import type { BaseImage } from '../../../src/model/bundle.ts';
import { buildBundle, buildException } from '../../helpers/build-bundle.ts';
import { evaluateRules } from '../evaluate-one.ts';

const APPROVED = ['docker.io/library/alpine:3.*', 'gcr.io/distroless/**', 'ubuntu'];

describe('src/engine/rules/base-images', () => {
  it.each<[string, string, boolean]>([
    ['a bare name is normalized', 'alpine:3.19', false],
    ['a full name', 'docker.io/library/alpine:3.19', false],
    ['another tag', 'alpine:edge', true],
    ['no tag against a tagged glob', 'alpine', true],
    ['** crosses segments and tags', 'gcr.io/distroless/python3-debian12:nonroot', false],
    ['a glob without a tag allows any tag', 'ubuntu:24.04', false],
    ['a glob without a tag normalizes too', 'docker.io/library/ubuntu', false],
    ['a digest does not matter', 'alpine:3.19@sha256:abc', false],
    ['not approved', 'debian:12', true],
    ['another registry', 'ghcr.io/library/alpine:3.19', true],
  ])('%s: %s', (_name, name, violates) => {
    const bundle = buildBundle({ baseImage: { name, source: 'label' } });

    const verdict = evaluateRules(bundle, { base_images: APPROVED });

    expect(verdict.passed).toBe(!violates);
  });

  it.each<[string, string, boolean]>([
    ['the pinned digest', 'debian@sha256:abc', false],
    ['the pinned digest with a tag', 'docker.io/library/debian:12@sha256:abc', false],
    ['another digest', 'debian@sha256:def', true],
    ['the right name without a digest', 'debian:12', true],
  ])('a glob pinned by digest (debian@sha256:abc), %s: %s', (_name, name, violates) => {
    const bundle = buildBundle({ baseImage: { name, source: 'label' } });

    const verdict = evaluateRules(bundle, { base_images: ['debian@sha256:abc', 'gcr.io/distroless/*@sha256:*'] });

    expect(verdict.passed).toBe(!violates);
  });

  it.each([['base-image'], ['base_images']])('is waived by an exception with the ID %s (the violation ID or the rule key)', (id) => {
    const known = buildBundle({ baseImage: { name: 'debian:12', source: 'label' } });
    const unknown = buildBundle();

    expect(evaluateRules(known, { base_images: APPROVED }, [buildException({ id })]).passed).toBe(true);
    expect(evaluateRules(unknown, { base_images: APPROVED }, [buildException({ id })]).passed).toBe(true);
  });

  it('fails closed on an unknown base image', () => {
    const bundle = buildBundle();

    const [violation] = evaluateRules(bundle, { base_images: APPROVED }).violations;

    expect(violation?.id).toBe('base-image');
    expect(violation?.message).toMatch(/^the base image is unknown/);
  });

  it('points at the Dockerfile FROM line', () => {
    const baseImage: BaseImage = { name: 'debian:12', source: 'dockerfile', location: { path: 'Dockerfile', line: 7 } };

    const [violation] = evaluateRules(buildBundle({ baseImage }), { base_images: APPROVED }).violations;

    expect(violation).toEqual({
      rule: 'base_images',
      attribution: 'introduced',
      id: 'base-image',
      message: `the base image docker.io/library/debian:12 is not approved (allowed: ${APPROVED.join(', ')}); build FROM an approved base image`,
      location: { path: 'Dockerfile', line: 7 },
    });
  });
});
