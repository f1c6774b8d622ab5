import type { Logger } from 'probot';
import type { GitHubClient } from '../github/client.ts';
import { normalizeRepositoryName } from '../model/image-ref.ts';
import type { OutcomeProblem, RunRef } from '../model/outcome.ts';
import type { PublishRecord, Store, VerdictKey, VerdictRecord } from '../store/store.ts';
import { withFinalGuard } from './final-guard.ts';
import { loadRepoPolicy, type PolicyLoad } from './load-policy.ts';
import { readRepoTarget, type RepoTarget } from './repo-target.ts';
import { recordContribution } from './update-check.ts';

/**
 * `registry_package.published` and `package.published` for a container version:
 *   1. read the version: image, tag, digest(s), publishing commit when the payload names one;
 *   2. look up the verdict judged in THIS repository, for THAT commit, under the default branch's
 *      policy: a verdict of another repository, another commit or a looser branch's policy never
 *      vouches for a publish (no commit named: no verdict);
 *   3. record tag → digest as `verified` (that verdict existed) or `unscanned`, unless a newer
 *      version of the tag is recorded already: a replayed older event changes nothing and stops;
 *   4. on the publishing commit, when known: put the verdict (or, for an unscanned image with
 *      `missing_scan: fail`, an `unscanned` problem) into the commit's check, under the final
 *      guard (a failure there ends in a failing check that says what failed).
 * Other package types, and payloads without a repository or installation, are ignored.
 */

export interface OnPackagePublishedInput {
  octokit: GitHubClient;
  payload: unknown;
  store: Store;
  now: Date;
  log: Logger;
  /** This GitHub App's ID (see JobInput). */
  appId: number;
}

/** What a container publish says, read from either event's payload. */
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

export async function onPackagePublished(input: OnPackagePublishedInput): Promise<void> {
  // 1. Read the version.
  const version = readPublishedVersion(input.payload, input.appId);
  if (version === undefined) {
    input.log.info('package published: not a container version with a digest, or no repository/installation: ignored');
    return;
  }
  const { target } = version;
  const repository = `${target.owner}/${target.repo}`;
  const fields = { repository, image: version.image, tag: version.tag, digest: version.digests[0] };

  // 2. The verdict judged in this repository for the commit the package names.
  const { sha } = version;
  const verdict = sha === undefined ? undefined : await findVerdict(input.store, { repository, sha, policyRef: target.defaultBranch }, version.digests);

  // 3. Record tag → digest, unless a newer version of the tag is recorded already.
  const record: PublishRecord = {
    image: version.image,
    tag: version.tag,
    digest: verdict?.digest ?? version.digests[0]!,
    repository,
    state: verdict === undefined ? 'unscanned' : 'verified',
    publishedAt: input.now.toISOString(),
    versionUpdatedAt: version.updatedAt,
    ...(sha === undefined ? {} : { sha }),
    ...(verdict === undefined ? {} : { allowed: verdict.allowed }),
  };
  if (!(await input.store.putPublish(record))) {
    input.log.warn({ ...fields, versionUpdatedAt: version.updatedAt }, 'package event older than the version recorded for its tag: ignored');
    return;
  }
  input.log.info({ ...fields, state: record.state, sha }, 'container version published');
  if (sha === undefined) {
    input.log.info(fields, 'no publishing commit in the payload: no verdict applies, no check to refresh');
    return;
  }

  // 4. Refresh the publishing commit's check.
  let policy: PolicyLoad | undefined;
  const guard = { octokit: input.octokit, store: input.store, target, sha, run: version.run, pullRequests: [], settings: () => policy?.settings, now: input.now, log: input.log };
  await withFinalGuard(guard, async () => {
    policy = await loadRepoPolicy(input.octokit, { owner: target.owner, repo: target.repo, ref: target.defaultBranch });
    const problems: OutcomeProblem[] = [];
    if (verdict === undefined) {
      if (policy.settings.missing_scan !== 'fail') {
        input.log.info(fields, 'unscanned image published; missing_scan: ignore');
        return;
      }
      problems.push({ kind: 'unscanned', message: unscannedMessage(version, record.digest) });
    }
    await recordContribution({
      octokit: input.octokit,
      store: input.store,
      owner: target.owner,
      repo: target.repo,
      sha,
      installationId: target.installationId,
      appId: target.appId,
      contribution: {
        run: version.run,
        images: verdict === undefined ? {} : { [verdict.digest]: verdict.verdict },
        problems,
        evaluatedAt: input.now.toISOString(),
      },
      sources: policy.sources,
      notes: policy.notes,
      pullRequests: [],
      settings: policy.settings,
      now: input.now,
    });
  });
}

export function unscannedMessage(version: Pick<PublishedVersion, 'image' | 'tag'>, digest: string): string {
  const reference = version.tag === digest ? `${version.image}@${digest}` : `${version.image}:${version.tag} (${digest})`;
  return `${reference} was published without a verdict: no scan report for this digest was evaluated (missing_scan: fail)`;
}

/** The verdict of the first digest judged in this repository for this commit, by the default branch's policy. */
async function findVerdict(store: Store, key: Omit<VerdictKey, 'digest'>, digests: readonly string[]): Promise<VerdictRecord | undefined> {
  for (const digest of digests) {
    const verdict = await store.getVerdict({ ...key, digest });
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/**
 * The container version of a `registry_package` or `package` payload, or undefined when it is not
 * a container or names no digest. Digests come from `container_metadata.tag.digest`, then the
 * manifest's, then `package_version.version` / `name` (GHCR names a version by its digest). The
 * commit is taken only when the payload gives a full SHA (OCI `revision` label, `target_oid`):
 * a branch name in `target_commitish` says nothing about which commit was built.
 */
export function readPublishedVersion(payload: unknown, appId: number): PublishedVersion | undefined {
  const root = asRecord(payload);
  const pkg = asRecord(root['registry_package'] ?? root['package']);
  const version = asRecord(pkg['package_version']);
  const metadata = asRecord(version['container_metadata']);
  const type = [pkg['package_type'], pkg['ecosystem']].map((value) => String(value ?? '').toLowerCase());
  if (!type.some((value) => CONTAINER_TYPES.has(value)) && Object.keys(metadata).length === 0) return undefined;
  const target = readRepoTarget(payload, appId);
  if (target === undefined) return undefined;

  const tagInfo = asRecord(metadata['tag']);
  const digests = unique(
    [tagInfo['digest'], asRecord(metadata['manifest'])['digest'], version['version'], version['name']]
      .map((value) => asString(value)?.toLowerCase())
      .filter((value): value is string => value !== undefined && DIGEST.test(value)),
  );
  if (digests.length === 0) return undefined;

  const { image, tagFromUrl } = readImage(pkg, version, target.owner);
  const tag = nonEmpty(asString(tagInfo['name'])) ?? tagFromUrl ?? digests[0]!;
  const labels = asRecord(asRecord(asRecord(metadata['labels'])['all_labels']));
  const sha = [labels['org.opencontainers.image.revision'], version['target_oid'], version['target_commitish']]
    .map((value) => asString(value)?.toLowerCase())
    .find((value): value is string => value !== undefined && COMMIT_SHA.test(value));
  const versionId = typeof version['id'] === 'number' ? version['id'] : 0;
  const updatedAt = asString(version['updated_at']) ?? asString(version['created_at']) ?? '';

  return {
    target,
    image,
    tag,
    digests,
    ...(sha === undefined ? {} : { sha }),
    updatedAt,
    run: { id: versionId, name: `publish ${image}:${tag}`, url: asString(version['html_url']) ?? asString(pkg['html_url']) ?? '' },
  };
}

/** `package_url` is `ghcr.io/owner/name:tag` (tag may be empty); without it, ghcr.io/<namespace>/<name>. */
function readImage(pkg: Record<string, unknown>, version: Record<string, unknown>, owner: string): { image: string; tagFromUrl?: string } {
  const url = asString(version['package_url']);
  if (url !== undefined) {
    const withoutDigest = url.split('@')[0]!;
    const colon = withoutDigest.lastIndexOf(':');
    const slash = withoutDigest.lastIndexOf('/');
    const name = colon > slash ? withoutDigest.slice(0, colon) : withoutDigest;
    const tag = colon > slash ? nonEmpty(withoutDigest.slice(colon + 1)) : undefined;
    return { image: normalizeRepositoryName(name.toLowerCase()), ...(tag === undefined ? {} : { tagFromUrl: tag }) };
  }
  const name = asString(pkg['name']) ?? 'unknown';
  const namespace = asString(asRecord(pkg['owner'])['login']) ?? owner;
  return { image: `ghcr.io/${namespace}/${name}`.toLowerCase() };
}

function asRecord(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
}

function asString(value: unknown): string | undefined {
  return typeof value === 'string' ? value : undefined;
}

function nonEmpty(value: string | undefined): string | undefined {
  return value === undefined || value.trim() === '' ? undefined : value.trim();
}

function unique<T>(values: readonly T[]): T[] {
  return [...new Set(values)];
}
