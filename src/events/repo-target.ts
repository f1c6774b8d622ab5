import { z } from 'zod';
import { accepted, type EventRead, ignored, parseEvent } from './read.ts';

/** The repository an event is about, and the installation that may act on it. */
export interface RepoTarget {
  owner: string;
  repo: string;
  repositoryId: number;
  defaultBranch: string;
  installationId: number;
  /** This GitHub App's ID: only its own check runs and comments are acted on. */
  appId: number;
}

const TargetPayload = z.object({
  repository: z.object({
    id: z.number(),
    name: z.string(),
    owner: z.object({ login: z.string() }),
    default_branch: z.string().catch('main'),
  }),
  installation: z.object({ id: z.number() }),
});

/** The target of a webhook payload; ignored when it names no repository or installation. */
export function readRepoTarget(payload: unknown, appId: number, what: string): EventRead<RepoTarget> {
  const result = TargetPayload.safeParse(payload);
  if (!result.success) return ignored(`${what} without repository or installation: ignored`);
  const { repository, installation } = result.data;
  return accepted({
    owner: repository.owner.login,
    repo: repository.name,
    repositoryId: repository.id,
    defaultBranch: repository.default_branch,
    installationId: installation.id,
    appId,
  });
}

/** The target, then the rest of the payload by `schema`: what every event reader starts with. */
export function readTargetedEvent<S extends z.ZodType>(schema: S, payload: unknown, appId: number, what: string): EventRead<{ target: RepoTarget; event: z.output<S> }> {
  const target = readRepoTarget(payload, appId, what);
  if (!target.ok) return target;
  const event = parseEvent(schema, payload, what);
  return event.ok ? accepted({ target: target.value, event: event.value }) : event;
}
