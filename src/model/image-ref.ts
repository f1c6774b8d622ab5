import type { ImageRef } from './bundle.ts';

export const DEFAULT_REGISTRY = 'docker.io';

/**
 * Parses an image reference the way Docker does: the first path component is a registry when it
 * contains `.` or `:` or is `localhost`; otherwise the registry is docker.io, and a single-component
 * name is an official image under `library/`. `index.docker.io` is docker.io.
 *
 *   alpine:3.19               → docker.io/library/alpine:3.19
 *   acme/api                  → docker.io/acme/api
 *   ghcr.io/acme/api:1@sha256:… → ghcr.io/acme/api:1, digest sha256:…
 */
export function parseImageRef(reference: string): ImageRef {
  let rest = reference.trim();
  let digest: string | undefined;
  const at = rest.indexOf('@');
  if (at >= 0) {
    digest = rest.slice(at + 1);
    rest = rest.slice(0, at);
  }
  let tag: string | undefined;
  const lastSlash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > lastSlash) {
    tag = rest.slice(colon + 1);
    rest = rest.slice(0, colon);
  }
  const { registry, repository } = splitRegistry(rest);
  const ref = `${registry}/${repository}${tag === undefined ? '' : `:${tag}`}`;
  return { ref, registry, repository, ...(tag === undefined ? {} : { tag }), ...(digest === undefined ? {} : { digest }) };
}

/** `alpine` → `docker.io/library/alpine`; `ghcr.io/acme/*` stays; used for scope globs too. */
export function normalizeRepositoryName(name: string): string {
  const { registry, repository } = splitRegistry(name);
  return `${registry}/${repository}`;
}

function splitRegistry(name: string): { registry: string; repository: string } {
  const slash = name.indexOf('/');
  const first = slash < 0 ? '' : name.slice(0, slash);
  const isRegistry = slash >= 0 && (first.includes('.') || first.includes(':') || first === 'localhost');
  if (isRegistry) {
    const registry = first === 'index.docker.io' || first === 'registry-1.docker.io' ? DEFAULT_REGISTRY : first;
    const repository = name.slice(slash + 1);
    return { registry, repository: registry === DEFAULT_REGISTRY && !repository.includes('/') ? `library/${repository}` : repository };
  }
  return { registry: DEFAULT_REGISTRY, repository: slash < 0 ? `library/${name}` : name };
}
