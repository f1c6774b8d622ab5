import { randomBytes, timingSafeEqual } from 'node:crypto';
import { ProbotOctokit } from 'probot';
import type { AppCredentials } from '../env.ts';
import { describeGitHubError } from '../github/client.ts';
import type { AppManifest } from './manifest.ts';

/**
 * The set-up page of `npm start` without credentials: it posts app.yml's manifest to GitHub's
 * app-manifest flow, GitHub creates the app and redirects back with a one-time code, and the code
 * is exchanged for the app's ID, private key and webhook secret (POST /app-manifests/{code}/conversions,
 * as Probot's ManifestCreation does). A random `state` ties GitHub's redirect to this page, so
 * a link with someone else's code cannot plant their app's credentials here.
 */

export interface CreatedApp extends AppCredentials {
  /** The app's page, e.g. https://github.com/apps/image-assurance. */
  htmlUrl: string;
  slug: string;
}

/** A random value GitHub hands back on the redirect (`state`), checked there. */
export function createSetupState(): string {
  return randomBytes(16).toString('hex');
}

export function isSetupState(expected: string, given: unknown): boolean {
  if (typeof given !== 'string' || given.length !== expected.length) return false;
  return timingSafeEqual(Buffer.from(given), Buffer.from(expected));
}

/** Where the page posts the manifest: the signed-in user's apps, or an organization's. */
export function newAppUrl(webUrl: string, state: string, organization?: string): string {
  const owner = organization ? `/organizations/${encodeURIComponent(organization)}` : '';
  return `${webUrl}${owner}/settings/apps/new?state=${state}`;
}

export class SetupError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'SetupError';
  }
}

/** Exchanges the code GitHub redirected with for the new app's credentials. */
export async function exchangeManifestCode(code: string, github: { baseUrl?: string; webUrl: string }): Promise<CreatedApp> {
  const octokit = new ProbotOctokit({ ...(github.baseUrl === undefined ? {} : { baseUrl: github.baseUrl }), throttle: { enabled: false } });
  let data;
  try {
    ({ data } = await octokit.rest.apps.createFromManifest({ code }));
  } catch (error) {
    throw new SetupError(`GitHub did not turn the code into an app (${describeGitHubError(error)}): the code is valid for one hour and one use; create the app again from this page`, { cause: error });
  }
  if (!data.webhook_secret || !data.pem || !data.id) throw new SetupError('GitHub created the app but sent no webhook secret or private key: delete it on GitHub and create it again from this page');
  if (!data.html_url.startsWith(`${github.webUrl}/`)) throw new SetupError(`GitHub named the app's page ${data.html_url}, not on ${github.webUrl}`);
  return { appId: String(data.id), privateKey: data.pem, webhookSecret: data.webhook_secret, htmlUrl: data.html_url, slug: data.slug ?? '' };
}

export function renderSetupPage(input: { manifest: AppManifest; action: string; organization?: string; webUrl: string; state: string; isProxied: boolean; notice?: string }): string {
  const { manifest } = input;
  const permissions = Object.entries(manifest.default_permissions).map(([name, level]) => `<li><code>${escapeHtml(name)}</code>: ${escapeHtml(level)}</li>`).join('');
  const events = manifest.default_events.map((event) => `<code>${escapeHtml(event)}</code>`).join(', ');
  const webhookNote = input.isProxied
    ? `GitHub will send its deliveries to <code>${escapeHtml(manifest.hook_attributes.url)}</code>, which forwards them here.`
    : `No proxy channel: GitHub will send its deliveries to <code>${escapeHtml(manifest.hook_attributes.url)}</code> (app.yml). Set <code>WEBHOOK_PROXY_URL</code> to a smee.io channel to receive them on this machine.`;
  return page(
    'Set up Image Assurance',
    `<h1>Set up Image Assurance</h1>
<p>This registers a GitHub App from <code>app.yml</code> through GitHub's app-manifest flow, then writes its ID, private key and webhook secret to <code>.env</code>.</p>
${input.notice ? `<p class="notice">${escapeHtml(input.notice)}</p>` : ''}
<h2>What it asks for</h2>
<ul>${permissions}</ul>
<p>Events: ${events}.</p>
<p>${webhookNote}</p>
<form id="create" action="${escapeHtml(input.action)}" method="post">
  <input type="hidden" name="manifest" value="${escapeHtml(JSON.stringify(manifest))}">
  <label>Organization (leave empty for your own account; install it on an organization only if it belongs to it)
    <input id="organization" value="${escapeHtml(input.organization ?? '')}" pattern="[A-Za-z0-9-]*" autocomplete="off">
  </label>
  <button type="submit">Create the GitHub App on ${escapeHtml(new URL(input.webUrl).host)}</button>
</form>
<script>
  document.getElementById('create').addEventListener('submit', (event) => {
    const organization = document.getElementById('organization').value.trim();
    const owner = organization ? '/organizations/' + encodeURIComponent(organization) : '';
    event.target.action = ${JSON.stringify(input.webUrl)} + owner + '/settings/apps/new?state=' + ${JSON.stringify(input.state)};
  });
</script>`,
  );
}

export function renderRunningPage(input: { appId: string; webhookProxyUrl?: string; queued: number; appUrl?: string }): string {
  return page(
    'Image Assurance is running',
    `<h1>Image Assurance is running</h1>
<p>GitHub App ${escapeHtml(input.appId)}${input.appUrl ? ` (<a href="${escapeHtml(input.appUrl)}">its page</a>; <a href="${escapeHtml(input.appUrl)}/installations/new">install it</a>)` : ''}.</p>
<p>Deliveries: <code>POST /webhooks</code>${input.webhookProxyUrl ? `, forwarded from <code>${escapeHtml(input.webhookProxyUrl)}</code>` : ''}. Jobs queued: ${input.queued}.</p>
<p>Health: <a href="/healthz">/healthz</a>.</p>`,
  );
}

export function renderErrorPage(message: string): string {
  return page('Image Assurance set-up failed', `<h1>Set-up failed</h1><p class="notice">${escapeHtml(message)}</p><p><a href="/">Start again</a></p>`);
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>${escapeHtml(title)}</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:46rem;margin:3rem auto;padding:0 1rem;color:#1f2328}code{background:#f6f8fa;padding:0 .25em;border-radius:4px}
.notice{background:#fff8c5;padding:.5rem .75rem;border-radius:6px}label{display:block;margin:1rem 0}input{display:block;margin-top:.25rem;padding:.35rem;width:20rem}
button{background:#1f883d;color:#fff;border:0;border-radius:6px;padding:.6rem 1rem;font-size:1rem;cursor:pointer}</style></head>
<body>${body}</body></html>`;
}

function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (char) => `&#${char.charCodeAt(0)};`);
}
