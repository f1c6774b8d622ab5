import type { ProbotOctokit } from 'probot';
import { statusOf } from './client.ts';

/**
 * Conditional requests for file contents (the policy files every job reads, Dockerfiles, workflow
 * files): the worker keeps each answer's ETag (or Last-Modified) and sends it back with
 * `If-None-Match` (`If-Modified-Since`); GitHub answers 304 when the file is unchanged, which does
 * not count against the rate limit, and the kept text is used.
 * https://docs.github.com/en/rest/using-the-rest-api/best-practices-for-using-the-rest-api#use-conditional-requests-if-appropriate
 *
 * Nothing is trusted from memory alone: every use asks GitHub, with the installation's token, and
 * a file that changed, vanished or became unreadable answers as it would without the cache.
 */

/** GET /repos/{owner}/{repo}/contents/{path}: the only route whose answers are kept. */
export const CONTENTS_ROUTE = '/repos/{owner}/{repo}/contents/{path}';
/** The most answers kept per process; the oldest goes first. */
export const MAX_CACHED_FILES = 500;
/** Larger files are not kept (a policy file is a few kilobytes). */
export const MAX_CACHED_FILE_BYTES = 1024 * 1024;

interface CachedAnswer {
  etag?: string;
  lastModified?: string;
  response: { status: number; url: string; headers: Record<string, unknown>; data: unknown };
}

/** One per worker: the answers its jobs share, by {@link cacheKey}, least recently used first. */
export type ContentsCache = Map<string, CachedAnswer>;

/** An octokit plugin that makes every contents GET conditional, kept in `cache`. */
export function conditionalContents(cache: ContentsCache): (octokit: Pick<ProbotOctokit, 'hook'>) => void {
  return function plugin(octokit) {
    octokit.hook.wrap('request', async (request, options) => {

      if (options.method !== 'GET' || options.url !== CONTENTS_ROUTE) return request(options);
      const key = cacheKey(options);
      const cached = cache.get(key);
      // before-after-hook hands every hook the same options object: add the header to it.
      if (cached?.etag) options.headers['if-none-match'] = cached.etag;
      else if (cached?.lastModified) options.headers['if-modified-since'] = cached.lastModified;
      try {
        const response = await request(options);
        remember(cache, key, response);
        return response;
      } catch (error) {
        if (cached && statusOf(error) === 304) {
          // Most recently used last: the oldest entry is the first to go.
          cache.delete(key);
          cache.set(key, cached);
          return cached.response as Awaited<ReturnType<typeof request>>;
        }
        if (statusOf(error) === 404) cache.delete(key);
        throw error;
      }
    });
  };
}

function remember(cache: ContentsCache, key: string, response: { status: number; url: string; headers: Record<string, unknown>; data: unknown }): void {
  const etag = header(response.headers, 'etag');
  const lastModified = header(response.headers, 'last-modified');
  const size = typeof response.data === 'string' ? response.data.length : response.data instanceof ArrayBuffer ? response.data.byteLength : Number.POSITIVE_INFINITY;
  cache.delete(key);
  if ((etag === undefined && lastModified === undefined) || size > MAX_CACHED_FILE_BYTES) return;
  cache.set(key, {
    ...(etag === undefined ? {} : { etag }),
    ...(lastModified === undefined ? {} : { lastModified }),
    response: { status: response.status, url: response.url, headers: response.headers, data: response.data },
  });
  while (cache.size > MAX_CACHED_FILES) cache.delete(cache.keys().next().value!);
}

/** The file, the ref and the media type asked for, on one GitHub host: the same question gets the same answer. */
function cacheKey(options: Record<string, unknown>): string {
  const mediaType = options['mediaType'] as { format?: string } | undefined;
  return JSON.stringify([options['baseUrl'], String(options['owner']).toLowerCase(), String(options['repo']).toLowerCase(), options['path'], options['ref'] ?? null, mediaType?.format ?? null]);
}

function header(headers: Record<string, unknown>, name: string): string | undefined {
  const value = headers[name];
  return typeof value === 'string' && value !== '' ? value : undefined;
}
