import { OperationError } from '../errors.ts';
import type { GitHubClient } from './client.ts';
import { describeGitHubError, statusOf } from './client.ts';

/**
 * A file's text at a ref, in one request (the raw media type), or `undefined` when the file, the
 * ref or the repository does not exist (404). Other failures throw an OperationError.
 */
export async function fetchFileText(
  octokit: GitHubClient,
  file: { owner: string; repo: string; path: string; ref?: string },
): Promise<string | undefined> {
  try {
    const response = await octokit.rest.repos.getContent({
      owner: file.owner,
      repo: file.repo,
      path: file.path,
      ...(file.ref === undefined ? {} : { ref: file.ref }),
      mediaType: { format: 'raw' },
    });
    const data: unknown = response.data;
    if (typeof data === 'string') return data;
    if (data instanceof ArrayBuffer) return new TextDecoder().decode(data);
    throw new OperationError(`GitHub returned no file content for ${file.owner}/${file.repo}/${file.path}: is it a directory?`);
  } catch (error) {
    if (statusOf(error) === 404) return undefined;
    if (error instanceof OperationError) throw error;
    throw new OperationError(`could not read ${file.path} from ${file.owner}/${file.repo}${file.ref ? `@${file.ref}` : ''} (${describeGitHubError(error)})`, { cause: error });
  }
}
