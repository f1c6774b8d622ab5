import type { ImageRef } from '../model/bundle.ts';
import { globToRegExp } from '../model/glob.ts';
import { normalizeRepositoryName } from '../model/image-ref.ts';

/**
 * Normalizes an image glob the way image references are normalized, so that `alpine`, `alpine:3.*`
 * and `docker.io/library/alpine` name the same images (SPEC §2: docker.io/library/ is filled in for
 * bare names, in the image and in the glob alike).
 *
 *   alpine            → docker.io/library/alpine
 *   alpine:3.*        → docker.io/library/alpine:3.*
 *   alpine@sha256:ab… → docker.io/library/alpine@sha256:ab…
 *   acme/*            → docker.io/acme/*
 *   ghcr.io/acme/**   → ghcr.io/acme/**
 *   ** and * alone    → ** (every image)
 *   *.io/acme/api     → unchanged (a glob in the first component cannot be told from a registry)
 */
export function normalizeImageGlob(glob: string): string {
  const trimmed = glob.trim();
  if (trimmed === '*' || trimmed === '**') return '**';
  const at = trimmed.indexOf('@');
  const named = at < 0 ? trimmed : trimmed.slice(0, at);
  const digest = at < 0 ? '' : trimmed.slice(at);
  const lastSlash = named.lastIndexOf('/');
  const colon = named.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? named.slice(0, colon) : named;
  const tag = hasTag ? named.slice(colon) : '';
  const slash = name.indexOf('/');
  const first = slash < 0 ? name : name.slice(0, slash);
  // A bare glob name (`alpine*`) is an official image; a glob in a registry position is left alone.
  if (slash >= 0 && /[*?]/.test(first)) return trimmed;
  return `${normalizeRepositoryName(name)}${tag}${digest}`;
}

/** Whether the normalized glob names a tag (`…:3.*`): it is then matched against `repository:tag`. */
export function globHasTag(normalizedGlob: string): boolean {
  const at = normalizedGlob.indexOf('@');
  const named = at < 0 ? normalizedGlob : normalizedGlob.slice(0, at);
  return named.lastIndexOf(':') > named.lastIndexOf('/');
}

/**
 * An image glob compiled once: a glob without a tag matches `registry/repository` (any tag), one
 * with a tag `registry/repository:tag`, and one pinned by digest (`alpine@sha256:…`) also needs
 * that digest. An image without the tag or digest a glob names does not match it.
 */
export function compileImageGlob(glob: string): (image: Pick<ImageRef, 'registry' | 'repository' | 'tag' | 'digest'>) => boolean {
  const normalized = normalizeImageGlob(glob);
  const regExp = globToRegExp(normalized);
  const hasTag = globHasTag(normalized);
  const hasDigest = normalized.includes('@');
  return (image) => {
    if (hasTag && image.tag === undefined) return false;
    if (hasDigest && image.digest === undefined) return false;
    const subject = `${image.registry}/${image.repository}${hasTag ? `:${image.tag!}` : ''}${hasDigest ? `@${image.digest!}` : ''}`;
    return regExp.test(subject);
  };
}
