import { type PublishedVersion, readPackageEvent } from '../events/package.ts';
import type { OutcomeProblem } from '../model/outcome.ts';
import type { PublishRecord, Store, VerdictRecord } from '../store/store.ts';
import { withFinalGuard } from './final-guard.ts';
import { createPolicyReader } from './policy-reader.ts';
import { type JobInput, logIgnored } from './job-input.ts';
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

export async function onPackagePublished(input: JobInput): Promise<void> {
  // 1. Read the version.
  const event = readPackageEvent(input.payload, input.appId);
  if (!event.ok) return logIgnored(input.log, event);
  const version = event.value;
  // 2. The verdict judged in this repository for the commit the package names.
  const verdict = await findVerdict(input.store, version);
  // 3. Record tag → digest, unless a newer version of the tag is recorded already.
  const record = await recordPublish(input, version, verdict);
  // 4. Refresh the publishing commit's check.
  if (record !== undefined && version.sha !== undefined) await refreshCommitCheck(input, version, version.sha, verdict, record.digest);
}

/** Step 2: the verdict of the first digest judged in this repository for the named commit, by the default branch's policy. */
async function findVerdict(store: Store, version: PublishedVersion): Promise<VerdictRecord | undefined> {
  const { target, sha } = version;
  if (sha === undefined) return undefined;
  for (const digest of version.digests) {
    const verdict = await store.getVerdict({ repository: `${target.owner}/${target.repo}`, sha, policyRef: target.defaultBranch, digest });
    if (verdict !== undefined) return verdict;
  }
  return undefined;
}

/** Step 3: the tag → digest record, or undefined when a newer version of the tag is recorded already (nothing more to do). */
async function recordPublish(input: JobInput, version: PublishedVersion, verdict: VerdictRecord | undefined): Promise<PublishRecord | undefined> {
  const { target, sha } = version;
  const record: PublishRecord = {
    image: version.image,
    tag: version.tag,
    digest: verdict?.digest ?? version.digests[0]!,
    repository: `${target.owner}/${target.repo}`,
    state: verdict === undefined ? 'unscanned' : 'verified',
    publishedAt: input.now.toISOString(),
    versionUpdatedAt: version.updatedAt,
    ...(sha === undefined ? {} : { sha }),
    ...(verdict === undefined ? {} : { allowed: verdict.allowed }),
  };
  const fields = logFields(version);
  if (!(await input.store.putPublish(record))) {
    input.log.warn({ ...fields, versionUpdatedAt: version.updatedAt }, 'package event older than the version recorded for its tag: ignored');
    return undefined;
  }
  input.log.info({ ...fields, state: record.state, sha }, 'container version published');
  if (sha === undefined) input.log.info(fields, 'no publishing commit in the payload: no verdict applies, no check to refresh');
  return record;
}

/**
 * Step 4: the verdict (or, for an unscanned image with `missing_scan: fail`, an `unscanned`
 * problem) goes into the publishing commit's check, under the final guard.
 */
async function refreshCommitCheck(input: JobInput, version: PublishedVersion, sha: string, verdict: VerdictRecord | undefined, digest: string): Promise<void> {
  const { target } = version;
  const policies = createPolicyReader(input.octokit, target);
  const guard = { octokit: input.octokit, store: input.store, target, sha, run: version.run, pullRequests: [], settings: policies.checkSettings, now: input.now, log: input.log };
  await withFinalGuard(guard, async () => {
    const policy = await policies.load(target.defaultBranch);
    const problems: OutcomeProblem[] = [];
    if (verdict === undefined) {
      if (policy.settings.missing_scan !== 'fail') {
        input.log.info(logFields(version), 'unscanned image published; missing_scan: ignore');
        return;
      }
      problems.push({ kind: 'unscanned', message: unscannedMessage(version, digest) });
    }
    await recordContribution({
      octokit: input.octokit,
      store: input.store,
      owner: target.owner,
      repo: target.repo,
      sha,
      installationId: target.installationId,
      appId: target.appId,
      runId: version.run.id,
      contributions: [
        {
          run: version.run,
          images: verdict === undefined ? {} : { [verdict.digest]: verdict.verdict },
          problems,
          evaluatedAt: input.now.toISOString(),
        },
      ],
      sources: policy.sources,
      notes: policy.notes,
      pullRequests: [],
      settings: policy.settings,
      now: input.now,
    });
  });
}

function logFields(version: PublishedVersion): Record<string, string | undefined> {
  return { repository: `${version.target.owner}/${version.target.repo}`, image: version.image, tag: version.tag, digest: version.digests[0] };
}

export function unscannedMessage(version: Pick<PublishedVersion, 'image' | 'tag'>, digest: string): string {
  const reference = version.tag === digest ? `${version.image}@${digest}` : `${version.image}:${version.tag} (${digest})`;
  return `${reference} was published without a verdict: no scan report for this digest was evaluated (missing_scan: fail)`;
}
