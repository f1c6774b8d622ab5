import type { CheckState, DefaultBranchDigest, FactsRecord, Job, JobAttempt, PolicyHistoryRecord, PublishRecord, Store, VerdictKey, VerdictRecord, Versioned } from './store.ts';
import { versionTime } from './store.ts';
import { keys } from './table.ts';

/**
 * An in-memory Store for tests, the CLI and local runs: real optimistic versioning on check
 * states and conditional delivery writes, like the DynamoDB one. Values are copied in and out so
 * a caller can never change what is stored by mutating an object it holds.
 */
export function createMemoryStore(): Store {
  const deliveries = new Map<string, string>();
  const jobs = new Map<string, Job>();
  const checkStates = new Map<string, Versioned<CheckState>>();
  const verdicts = new Map<string, VerdictRecord>();
  const publishes = new Map<string, PublishRecord>();
  const histories = new Map<string, Map<string, PolicyHistoryRecord>>();
  const facts = new Map<string, FactsRecord>();
  const defaultBranchDigests = new Map<string, DefaultBranchDigest>();
  const attempts = new Map<string, JobAttempt>();

  return {
    async putDelivery(id, receivedAt) {
      if (deliveries.has(id)) return false;
      deliveries.set(id, receivedAt.toISOString());
      return true;
    },
    async putJob(job) {
      if (!jobs.has(job.id)) jobs.set(job.id, structuredClone(job));
    },
    async getJob(id) {
      return copyOf(jobs.get(id));
    },
    async getCheckState(repository, sha) {
      return copyOf(checkStates.get(checkKey(repository, sha)));
    },
    async putCheckState(state, expectedVersion) {
      const key = checkKey(state.repository, state.sha);
      const current = checkStates.get(key);
      if (current?.version !== expectedVersion) return false;
      checkStates.set(key, { value: structuredClone(state), version: (current?.version ?? 0) + 1 });
      return true;
    },
    async putVerdict(record) {
      verdicts.set(verdictKey(record), structuredClone(record));
    },
    async getVerdict(key) {
      return copyOf(verdicts.get(verdictKey(key)));
    },
    async putPublish(record) {
      const key = publishKey(record.image, record.tag);
      const current = publishes.get(key);
      if (current !== undefined && versionTime(current) > versionTime(record)) return false;
      publishes.set(key, structuredClone(record));
      return true;
    },
    async getPublish(image, tag) {
      return copyOf(publishes.get(publishKey(image, tag)));
    },
    async putFacts(record) {
      facts.set(keys.facts(record.repository, record.digest).pk, structuredClone(record));
      return true;
    },
    async getFacts(repository, digest) {
      return copyOf(facts.get(keys.facts(repository, digest).pk));
    },
    async putDefaultBranchDigest(record) {
      const commit = keys.defaultBranchDigest(record.repository, record.image, record.sha);
      defaultBranchDigests.set(`${commit.pk}\u0000${commit.sk}`, structuredClone(record));
      const latest = keys.latestDefaultBranchDigest(record.repository, record.image);
      const current = defaultBranchDigests.get(`${latest.pk}\u0000${latest.sk}`);
      if (current === undefined || current.recordedAt <= record.recordedAt) defaultBranchDigests.set(`${latest.pk}\u0000${latest.sk}`, structuredClone(record));
    },
    async getDefaultBranchDigest(repository, sha, image) {
      const key = keys.defaultBranchDigest(repository, image, sha);
      return copyOf(defaultBranchDigests.get(`${key.pk}\u0000${key.sk}`));
    },
    async getLatestDefaultBranchDigest(repository, image) {
      const key = keys.latestDefaultBranchDigest(repository, image);
      return copyOf(defaultBranchDigests.get(`${key.pk}\u0000${key.sk}`));
    },
    async putPolicyHistory(record) {
      const { pk, sk } = keys.history(record.repository, record.sha);
      const commits = histories.get(pk) ?? new Map<string, PolicyHistoryRecord>();
      histories.set(pk, commits);
      commits.set(sk, structuredClone(record));
    },
    async listPolicyHistory(repository, since) {
      const commits = histories.get(keys.history(repository, '').pk);
      if (commits === undefined) return [];
      return [...commits.values()].filter((record) => Date.parse(record.evaluatedAt) >= since.getTime()).map((record) => structuredClone(record));
    },
    async putAttempt(attempt) {
      attempts.set(attemptKey(attempt.streamArn, attempt.sequenceNumber), structuredClone(attempt));
    },
    async clearAttempt(streamArn, sequenceNumber) {
      attempts.delete(attemptKey(streamArn, sequenceNumber));
    },
    async listAttempts(streamArn, fromSequence, toSequence) {
      const from = attemptKey(streamArn, fromSequence);
      const to = attemptKey(streamArn, toSequence);
      return [...attempts.entries()]
        .filter(([key]) => key >= from && key <= to)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([, attempt]) => structuredClone(attempt));
    },
  };
}

function checkKey(repository: string, sha: string): string {
  return `${repository.toLowerCase()}@${sha}`;
}

function verdictKey(key: VerdictKey): string {
  const { pk, sk } = keys.verdict(key);
  return `${pk}|${sk}`;
}

function attemptKey(streamArn: string, sequenceNumber: string): string {
  const { pk, sk } = keys.attempt(streamArn, sequenceNumber);
  return `${pk}|${sk}`;
}

function publishKey(image: string, tag: string): string {
  return `${image}:${tag}`;
}

function copyOf<T>(value: T | undefined): T | undefined {
  return value === undefined ? undefined : structuredClone(value);
}
