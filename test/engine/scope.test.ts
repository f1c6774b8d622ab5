import { describe, expect, it } from 'vitest';
import { normalizeImageGlob } from '../../src/engine/image-glob.ts';
import { compileScope, type ScopeContext } from '../../src/engine/scope.ts';
import type { Scope } from '../../src/policy/schema.ts';
import { buildBundle } from '../helpers/build-bundle.ts';

describe('src/engine/scope', () => {
  it.each<[string, Scope | undefined, string, ScopeContext, boolean]>([
    ['no scope matches every image', undefined, 'ghcr.io/acme/api:1', {}, true],
    ['empty scope matches every image', {}, 'ghcr.io/acme/api:1', {}, true],
    ['bare name glob gets docker.io/library/', { images: ['alpine'] }, 'docker.io/library/alpine:3.19', {}, true],
    ['bare image name gets docker.io/library/', { images: ['docker.io/library/alpine'] }, 'alpine:3.19', {}, true],
    ['both bare', { images: ['alpine*'] }, 'alpine:3.19', {}, true],
    ['user repository on docker hub', { images: ['acme/*'] }, 'acme/api:1', {}, true],
    ['index.docker.io is docker.io', { images: ['docker.io/acme/api'] }, 'index.docker.io/acme/api:1', {}, true],
    ['* stays in one segment', { images: ['ghcr.io/*'] }, 'ghcr.io/acme/api:1', {}, false],
    ['** crosses segments', { images: ['ghcr.io/**'] }, 'ghcr.io/acme/api:1', {}, true],
    ['lone * means every image', { images: ['*'] }, 'ghcr.io/acme/api:1', {}, true],
    ['a list matches if any entry does', { images: ['quay.io/**', 'ghcr.io/acme/api'] }, 'ghcr.io/acme/api:1', {}, true],
    ['glob with a tag', { images: ['alpine:3.*'] }, 'alpine:3.19', {}, true],
    ['glob with a tag, other tag', { images: ['alpine:3.*'] }, 'alpine:edge', {}, false],
    ['glob with a tag, image without tag', { images: ['alpine:3.*'] }, 'alpine', {}, false],
    ['registry port is not a tag', { images: ['localhost:5000/app'] }, 'localhost:5000/app:1', {}, true],
    ['glob pinned by digest', { images: ['alpine@sha256:ab*'] }, 'alpine:3.19@sha256:abc', {}, true],
    ['glob pinned by digest, other digest', { images: ['alpine@sha256:ab*'] }, 'alpine:3.19@sha256:def', {}, false],
    ['glob pinned by digest, image without digest', { images: ['alpine@sha256:ab*'] }, 'alpine:3.19', {}, false],
    ['registries', { registries: ['ghcr.io'] }, 'ghcr.io/acme/api:1', {}, true],
    ['registries, docker hub', { registries: ['ghcr.io'] }, 'alpine:3', {}, false],
    ['registries: docker.io names bare images', { registries: ['docker.io'] }, 'alpine:3', {}, true],
    ['registries: index.docker.io is docker.io', { registries: ['index.docker.io'] }, 'alpine:3', {}, true],
    ['tags', { tags: ['v*'] }, 'ghcr.io/acme/api:v1.2', {}, true],
    ['tags, other tag', { tags: ['v*'] }, 'ghcr.io/acme/api:latest', {}, false],
    ['tags, image without a tag', { tags: ['**'] }, 'ghcr.io/acme/api', {}, false],
    ['branches without a branch in the context', { branches: ['main'] }, 'app:1', {}, false],
    ['branches glob', { branches: ['release/*'] }, 'app:1', { branch: 'release/1.2' }, true],
    ['branches, other branch', { branches: ['main'] }, 'app:1', { branch: 'feature/x' }, false],
    ['environments without one in the context', { environments: ['production'] }, 'app:1', {}, false],
    ['environments', { environments: ['prod*'] }, 'app:1', { environment: 'production' }, true],
    ['every key must match', { images: ['ghcr.io/**'], tags: ['v*'] }, 'ghcr.io/acme/api:latest', {}, false],
  ])('%s', (_name, scope, image, context, expected) => {
    const compiled = compileScope(scope);

    const matches = compiled.matches(buildBundle({ image }), context);

    expect(matches).toBe(expected);
  });

  it.each<[string, Record<string, string>, Record<string, string> | undefined, boolean]>([
    ['label value glob', { tier: 'prod*' }, { tier: 'production' }, true],
    ['label value mismatch', { tier: 'prod' }, { tier: 'dev' }, false],
    ['every label must exist', { tier: 'prod', team: '*' }, { tier: 'prod' }, false],
    ['every label matches', { tier: 'prod', team: '*' }, { tier: 'prod', team: 'core' }, true],
    ['no config: no labels', { tier: '*' }, undefined, false],
    ['a label value is not a path: * matches a slash', { source: 'https://github.com/acme/*' }, { source: 'https://github.com/acme/api/tree/main' }, true],
    ['* matches any value', { team: '*' }, { team: 'platform/core' }, true],
    ['a label glob still anchors', { source: 'https://github.com/acme/*' }, { source: 'https://github.com/other/api' }, false],
  ])('labels: %s', (_name, labels, imageLabels, expected) => {
    const compiled = compileScope({ labels });
    const bundle = buildBundle(imageLabels === undefined ? { config: undefined } : { config: { user: '1000', labels: imageLabels } });

    const matches = compiled.matches(bundle, {});

    expect(matches).toBe(expected);
  });

  it.each([
    ['alpine', 'docker.io/library/alpine'],
    ['alpine:3.*', 'docker.io/library/alpine:3.*'],
    ['acme/*', 'docker.io/acme/*'],
    ['ghcr.io/acme/**', 'ghcr.io/acme/**'],
    ['**', '**'],
    ['*', '**'],
    ['*.io/acme/api', '*.io/acme/api'],
    ['localhost:5000/app:1.*', 'localhost:5000/app:1.*'],
    ['alpine@sha256:abc', 'docker.io/library/alpine@sha256:abc'],
    ['alpine:3@sha256:abc', 'docker.io/library/alpine:3@sha256:abc'],
  ])('normalizes the image glob %s to %s', (glob, expected) => {
    expect(normalizeImageGlob(glob)).toBe(expected);
  });
});
