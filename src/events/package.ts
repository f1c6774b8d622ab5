import { z } from 'zod';
import { normalizeRepositoryName } from '../model/image-ref.ts';
import type { RunRef } from '../model/outcome.ts';
import { HANDLED_EVENTS } from './handled-events.ts';
import { accepted, type EventRead, ignored } from './read.ts';
import { readTargetedEvent, type RepoTarget } from './repo-target.ts';

/** What a container publish says, read from a `registry_package` or `package` payload. */
export interface PublishedVersion {
  target: RepoTarget;
  /** `registry/repository`, normalized (`ghcr.io/acme/api`). */
  image: string;
  /** The tag, or the digest when the version was pushed without one. */
  tag: string;
  /** Every digest the payload gives for the version, most specific first. */
  digests: string[];
  /** A full commit SHA the payload names for the version, when it names one. */
  sha?: string;
  /** The version's `updated_at` (ISO): orders events of one tag. */
  updatedAt: string;
  run: RunRef;
}

const DIGEST = /^sha256:[0-9a-f]{32,64}$/;
const COMMIT_SHA = /^[0-9a-f]{40}$/;
const CONTAINER_TYPES = new Set(['container', 'docker']);

/** An optional text field: anything that is not a string reads as absent. */
const Text = z.string().optional().catch(undefined);

const ContainerMetadata = z.object({
  tag: z.object({ name: Text, digest: Text }).catch({}),
  manifest: z.object({ digest: Text }).catch({}),
  labels: z.object({ all_labels: z.record(z.string(), z.unknown()).catch({}) }).catch({ all_labels: {} }),
});

const Package = z.object({
  package_type: Text,
  ecosystem: Text,
  name: Text,
  html_url: Text,
  owner: z.object({ login: Text }).catch({}),
  package_version: z.object({
    id: z.number().catch(0),
    version: Text,
    name: Text,
    package_url: Text,
    html_url: Text,
    target_oid: Text,
    target_commitish: Text,
    updated_at: Text,
    created_at: Text,
    // Kept whole: a version with any container metadata is a container's.
    container_metadata: z.record(z.string(), z.unknown()).catch({}),
  }),
});

const RegistryPackagePayload = z.object({ action: z.enum(HANDLED_EVENTS.registry_package), registry_package: Package });
const PackagePayload = z.object({ action: z.enum(HANDLED_EVENTS.package), package: Package });

/**
 * The container version of a `registry_package` or `package` payload; ignored when it is not a
 * container or names no digest. Digests come from `container_metadata.tag.digest`, then the
 * manifest's, then `package_version.version` / `name` (GHCR names a version by its digest). The
 * commit is taken only when the payload gives a full SHA (OCI `revision` label, `target_oid`):
 * a branch name in `target_commitish` says nothing about which commit was built.
 */
export function readPackageEvent(payload: unknown, appId: number): EventRead<PublishedVersion> {
  const isRegistryPackage = typeof payload === 'object' && payload !== null && 'registry_package' in payload;
  const read = isRegistryPackage ? readTargetedEvent(RegistryPackagePayload, payload, appId, 'registry_package') : readTargetedEvent(PackagePayload, payload, appId, 'package');
  if (!read.ok) return read;
  const { target, event } = read.value;
  const pkg = 'registry_package' in event ? event.registry_package : event.package;
  const version = pkg.package_version;
  const isContainer = [pkg.package_type, pkg.ecosystem].some((type) => CONTAINER_TYPES.has((type ?? '').toLowerCase()));
  if (!isContainer && Object.keys(version.container_metadata).length === 0) {
    return ignored(`package published: not a container (${pkg.package_type ?? pkg.ecosystem ?? 'no type'}): ignored`, 'info');
  }
  const metadata = ContainerMetadata.parse(version.container_metadata);

  const digests = unique(
    [metadata.tag.digest, metadata.manifest.digest, version.version, version.name]
      .map((value) => value?.toLowerCase())
      .filter((value): value is string => value !== undefined && DIGEST.test(value)),
  );
  if (digests.length === 0) return ignored('package published: the version names no digest: ignored', 'info');

  const { image, tagFromUrl } = readImage(pkg.name, pkg.owner.login, version.package_url, target.owner);
  const tag = nonEmpty(metadata.tag.name) ?? tagFromUrl ?? digests[0]!;
  const sha = [metadata.labels.all_labels['org.opencontainers.image.revision'], version.target_oid, version.target_commitish]
    .map((value) => (typeof value === 'string' ? value.toLowerCase() : undefined))
    .find((value): value is string => value !== undefined && COMMIT_SHA.test(value));

  return accepted({
    target,
    image,
    tag,
    digests,
    ...(sha === undefined ? {} : { sha }),
    updatedAt: version.updated_at ?? version.created_at ?? '',
    run: { id: version.id, name: `publish ${image}:${tag}`, url: version.html_url ?? pkg.html_url ?? '' },
  });
}

/** `package_url` is `ghcr.io/owner/name:tag` (tag may be empty); without it, ghcr.io/<namespace>/<name>. */
function readImage(name: string | undefined, namespace: string | undefined, url: string | undefined, owner: string): { image: string; tagFromUrl?: string } {
  if (url !== undefined) {
    const withoutDigest = url.split('@')[0]!;
    const colon = withoutDigest.lastIndexOf(':');
    const slash = withoutDigest.lastIndexOf('/');
    const repository = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
    const tag = colon > slash ? nonEmpty(withoutDigest.slice(colon + 1)) : undefined;
    return { image: normalizeRepositoryName(repository.toLowerCase()), ...(tag === undefined ? {} : { tagFromUrl: tag }) };
  }
  return { image: `ghcr.io/${namespace ?? owner}/${name ?? 'unknown'}`.toLowerCase() };
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
