import { describe, expect, it } from 'vitest';
import { importClosure } from '../helpers/imports.ts';

/**
 * The `webhooks` Lambda imports src/webhook/receive.ts alone and must answer GitHub within 10
 * seconds: it may not pull in Probot, an octokit client, the engine, the readers or the job code.
 */
describe('src/webhook/receive imports', () => {
  it('stays small: no Probot, octokit client, engine, readers or jobs', () => {
    const { local, packages } = importClosure('src/webhook/receive.ts');

    expect(packages).toEqual(['@octokit/webhooks-methods']);
    expect(local.filter((file) => /src\/(engine|readers|github|job|worker|render|bundles)\//.test(file))).toEqual([]);
    // Of the payload readers, only the plain list of handled events (which imports nothing, not even zod).
    expect(local.filter((file) => file.startsWith('src/events/'))).toEqual(['src/events/handled-events.ts']);
  });
});
