import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';

/**
 * The `webhooks` Lambda imports src/webhook/receive.ts alone and must answer GitHub within 10
 * seconds: it may not pull in Probot, an octokit client, the engine or the readers.
 */
const ROOT = join(import.meta.dirname, '../..');

function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!);
}

/** Every module receive.ts loads, local ones followed. */
function closure(entry: string): { local: string[]; packages: string[] } {
  const local = new Set<string>();
  const packages = new Set<string>();
  const pending = [entry];
  while (pending.length > 0) {
    const file = pending.pop()!;
    if (local.has(file)) continue;
    local.add(file);
    for (const specifier of importsOf(file)) {
      if (specifier.startsWith('.')) pending.push(resolve(dirname(file), specifier));
      else packages.add(specifier);
    }
  }
  return { local: [...local].map((file) => relative(ROOT, file)).sort(), packages: [...packages].sort() };
}

describe('src/webhook/receive imports', () => {
  it('stays small: no Probot, octokit client, engine or readers', () => {
    const { local, packages } = closure(join(ROOT, 'src/webhook/receive.ts'));

    expect(packages).toEqual(['@octokit/webhooks-methods']);
    expect(local.filter((file) => /src\/(engine|readers|github|job|render|bundles)\//.test(file))).toEqual([]);
  });
});
