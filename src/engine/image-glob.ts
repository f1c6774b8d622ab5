import { normalizeRepositoryName } from '../model/image-ref.ts';

/**
 * Normalizes an image glob the way image references are normalized, so that `alpine`, `alpine:3.*`
 * and `docker.io/library/alpine` name the same images (SPEC §2: docker.io/library/ is filled in for
 * bare names, in the image and in the glob alike).
 *
 *   alpine            → docker.io/library/alpine
 *   alpine:3.*        → docker.io/library/alpine:3.*
 *   acme/*            → docker.io/acme/*
 *   ghcr.io/acme/**   → ghcr.io/acme/**
 *   ** and * alone    → ** (every image)
 *   *.io/acme/api     → unchanged (a glob in the first component cannot be told from a registry)
 */
export function normalizeImageGlob(glob: string): string {
  const trimmed = glob.trim();
  if (trimmed === '*' || trimmed === '**') return '**';
  const lastSlash = trimmed.lastIndexOf('/');
  const colon = trimmed.lastIndexOf(':');
  const hasTag = colon > lastSlash;
  const name = hasTag ? trimmed.slice(0, colon) : trimmed;
  const tag = hasTag ? trimmed.slice(colon) : '';
  const slash = name.indexOf('/');
  const first = slash < 0 ? name : name.slice(0, slash);
  // A bare glob name (`alpine*`) is an official image; a glob in a registry position is left alone.
  if (slash >= 0 && /[*?]/.test(first)) return trimmed;
  return `${normalizeRepositoryName(name)}${tag}`;
}

/** Whether the normalized glob names a tag (`…:3.*`): it is then matched against `repository:tag`. */
export function globHasTag(normalizedGlob: string): boolean {
  return normalizedGlob.lastIndexOf(':') > normalizedGlob.lastIndexOf('/');
}
