/**
 * Glob matching for scopes, artifact names, exceptions, licenses and base images.
 * `*` matches within one path segment (no `/`), `**` matches across segments, `?` one character;
 * everything else is literal. Compiled patterns are cached: policies reuse the same few globs.
 */
const cache = new Map<string, RegExp>();

export function globToRegExp(glob: string, options: { caseInsensitive?: boolean } = {}): RegExp {
  const cacheKey = `${options.caseInsensitive ? 'i' : 's'}:${glob}`;
  const cached = cache.get(cacheKey);
  if (cached) return cached;
  let source = '';
  for (let i = 0; i < glob.length; i++) {
    const char = glob[i]!;
    if (char === '*') {
      if (glob[i + 1] === '*') {
        source += '.*';
        i++;
      } else {
        source += '[^/]*';
      }
    } else if (char === '?') {
      source += '[^/]';
    } else {
      source += char.replace(/[.+^${}()|[\]\\]/g, '\\$&');
    }
  }
  const regExp = new RegExp(`^${source}$`, options.caseInsensitive ? 'i' : '');
  cache.set(cacheKey, regExp);
  return regExp;
}

export function matchesGlob(value: string, glob: string, options?: { caseInsensitive?: boolean }): boolean {
  return globToRegExp(glob, options).test(value);
}

export function matchesAnyGlob(value: string, globs: readonly string[], options?: { caseInsensitive?: boolean }): boolean {
  for (const glob of globs) if (matchesGlob(value, glob, options)) return true;
  return false;
}
