import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The repository's root folder. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

/**
 * The module specifiers a TypeScript file imports or re-exports: `import … from`, `export … from`,
 * a bare `import '…'` and a dynamic `import('…')`, as written.
 */
export function importsOf(file: string): string[] {
  const source = readFileSync(file, 'utf8');
  return [
    ...[...source.matchAll(/^\s*(?:import|export)\s[^'"]*?from\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
    ...[...source.matchAll(/^\s*import\s+['"]([^'"]+)['"]/gm)].map((match) => match[1]!),
    ...[...source.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g)].map((match) => match[1]!),
  ];
}

/** The repository-relative paths (`src/job/x.ts`) a file imports locally, and the packages it imports. */
export function resolvedImportsOf(file: string): { local: string[]; packages: string[] } {
  const specifiers = importsOf(file);
  return {
    local: specifiers.filter((specifier) => specifier.startsWith('.')).map((specifier) => relative(ROOT, resolve(dirname(file), specifier))),
    packages: specifiers.filter((specifier) => !specifier.startsWith('.')),
  };
}

/** Every module `entry` loads, local ones followed (repository-relative paths, sorted). */
export function importClosure(entry: string): { local: string[]; packages: string[] } {
  const local = new Set<string>();
  const packages = new Set<string>();
  const pending = [resolve(ROOT, entry)];
  while (pending.length > 0) {
    const file = pending.pop()!;
    const path = relative(ROOT, file);
    if (local.has(path)) continue;
    local.add(path);
    const imports = resolvedImportsOf(file);
    pending.push(...imports.local.map((dependency) => join(ROOT, dependency)));
    for (const name of imports.packages) packages.add(name);
  }
  return { local: [...local].sort(), packages: [...packages].sort() };
}

/** The `.ts` files under a repository folder, repository-relative. */
export function listTs(folder: string): string[] {
  return readdirSync(join(ROOT, folder), { withFileTypes: true }).flatMap((entry) => {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) return listTs(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}
