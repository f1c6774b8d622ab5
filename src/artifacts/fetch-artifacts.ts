import { OperationError } from '../errors.ts';
import type { GitHubClient } from '../github/client.ts';
import { describeGitHubError, statusOf } from '../github/client.ts';
import { MAX_PER_PAGE } from '../github/limits.ts';

/**
 * Stage 3, fetch: a run's artifacts and their zips. GitHub answers a download with a 302 to a
 * blob URL that expires after about a minute, so each zip is fetched right after its redirect,
 * without our token, and with a byte cap (a zip bomb's outer layer is refused before unzipping).
 */

export interface ArtifactInfo {
  id: number;
  name: string;
  sizeInBytes: number;
  isExpired: boolean;
}

export type ArtifactDownload =
  | { ok: true; zip: Uint8Array }
  | { ok: false; status: 'expired' | 'missing' | 'too-large' | 'refused'; reason: string };

/** Largest artifact zip we download. */
export const MAX_ARTIFACT_ZIP_BYTES = 100 * 1024 * 1024;

/**
 * The longest one zip may take from its blob URL. A stalled download must fail the artifact
 * while the worker (300 s) still has time to complete the check, never leave it in progress.
 */
export const BLOB_DOWNLOAD_TIMEOUT_MS = 120_000;

export async function fetchRunArtifacts(octokit: GitHubClient, run: { owner: string; repo: string; runId: number }): Promise<ArtifactInfo[]> {
  try {
    const artifacts = await octokit.paginate(octokit.rest.actions.listWorkflowRunArtifacts, {
      owner: run.owner,
      repo: run.repo,
      run_id: run.runId,
      per_page: MAX_PER_PAGE,
    });
    return artifacts.map((artifact) => ({ id: artifact.id, name: artifact.name, sizeInBytes: artifact.size_in_bytes, isExpired: artifact.expired }));
  } catch (error) {
    throw new OperationError(`could not list the artifacts of workflow run ${run.runId} (${describeGitHubError(error)})`, { cause: error });
  }
}

export async function fetchArtifactZip(
  octokit: GitHubClient,
  artifact: { owner: string; repo: string; id: number; name: string; maxBytes?: number; timeoutMs?: number },
): Promise<ArtifactDownload> {
  const maxBytes = artifact.maxBytes ?? MAX_ARTIFACT_ZIP_BYTES;
  let location: string | undefined;
  try {
    const response = await octokit.request('GET /repos/{owner}/{repo}/actions/artifacts/{artifact_id}/{archive_format}', {
      owner: artifact.owner,
      repo: artifact.repo,
      artifact_id: artifact.id,
      archive_format: 'zip',
      request: { redirect: 'manual' },
    });
    location = (response.headers as Record<string, string | undefined>).location;
    if (!location && response.data instanceof ArrayBuffer) return capped(new Uint8Array(response.data), maxBytes, artifact.name);
  } catch (error) {
    const status = statusOf(error);
    if (status === 410) return { ok: false, status: 'expired', reason: `artifact ${artifact.name} has expired (GitHub answered 410 Gone)` };
    if (status === 404) return { ok: false, status: 'missing', reason: `artifact ${artifact.name} could not be found (GitHub answered 404)` };
    throw new OperationError(`could not download artifact ${artifact.name} (${describeGitHubError(error)})`, { cause: error });
  }
  if (!location) throw new OperationError(`GitHub gave no download location for artifact ${artifact.name}`);
  if (!isHttpsUrl(location)) return refused(artifact.name);
  return downloadBlob(location, maxBytes, artifact.name, artifact.timeoutMs ?? BLOB_DOWNLOAD_TIMEOUT_MS);
}

/**
 * Reports come only over HTTPS: a plain-HTTP link (or one that redirects there) could be answered
 * by anyone on the way with a clean report.
 */
function isHttpsUrl(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch (error) {
    if (error instanceof TypeError) return false;
    throw error;
  }
}

function refused(name: string): ArtifactDownload {
  return { ok: false, status: 'refused', reason: `artifact ${name} was not downloaded: its download link is not HTTPS` };
}

async function downloadBlob(url: string, maxBytes: number, name: string, timeoutMs: number): Promise<ArtifactDownload> {
  try {
    return await readBlob(url, maxBytes, name, AbortSignal.timeout(timeoutMs));
  } catch (error) {
    if (error instanceof OperationError) throw error;
    const reason = error instanceof Error && error.name === 'TimeoutError' ? `it took longer than ${timeoutMs / 1000} s` : describeGitHubError(error);
    throw new OperationError(`could not download artifact ${name} from its blob URL (${reason})`, { cause: error });
  }
}

async function readBlob(url: string, maxBytes: number, name: string, signal: AbortSignal): Promise<ArtifactDownload> {
  const response = await fetch(url, { redirect: 'follow', signal });
  if (response.url !== '' && !isHttpsUrl(response.url)) {
    await response.body?.cancel();
    return refused(name);
  }
  if (response.status === 404 || response.status === 410 || response.status === 403) {
    await response.body?.cancel();
    return { ok: false, status: 'expired', reason: `artifact ${name}: its download link answered ${response.status} (expired)` };
  }
  if (!response.ok) {
    await response.body?.cancel();
    throw new OperationError(`could not download artifact ${name}: its download link answered ${response.status}`);
  }
  const declared = Number(response.headers.get('content-length') ?? Number.NaN);
  if (declared > maxBytes) {
    await response.body?.cancel();
    return tooLarge(name, maxBytes);
  }
  const chunks: Uint8Array[] = [];
  let total = 0;
  const reader = response.body?.getReader();
  while (reader) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.length;
    if (total > maxBytes) {
      await reader.cancel();
      return tooLarge(name, maxBytes);
    }
    chunks.push(value);
  }
  const zip = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    zip.set(chunk, offset);
    offset += chunk.length;
  }
  return { ok: true, zip };
}

function capped(zip: Uint8Array, maxBytes: number, name: string): ArtifactDownload {
  return zip.length > maxBytes ? tooLarge(name, maxBytes) : { ok: true, zip };
}

function tooLarge(name: string, maxBytes: number): ArtifactDownload {
  return { ok: false, status: 'too-large', reason: `artifact ${name} is larger than the ${maxBytes} bytes allowed` };
}
