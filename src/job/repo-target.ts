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

/** Reads the target from a webhook payload; undefined when it names no repository or installation. */
export function readRepoTarget(payload: unknown, appId: number): RepoTarget | undefined {
  const root = record(payload);
  const repository = record(root.repository);
  const owner = record(repository.owner);
  const installation = record(root.installation);
  if (typeof repository.name !== 'string' || typeof owner.login !== 'string' || typeof repository.id !== 'number') return undefined;
  if (typeof installation.id !== 'number') return undefined;
  return {
    owner: owner.login,
    repo: repository.name,
    repositoryId: repository.id,
    defaultBranch: typeof repository.default_branch === 'string' ? repository.default_branch : 'main',
    installationId: installation.id,
    appId,
  };
}

export function record(value: unknown): Record<string, unknown> {
  return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
}
