import { parse } from 'yaml';

/**
 * The manifest the set-up page posts to GitHub's app-manifest flow
 * (https://docs.github.com/en/apps/sharing-github-apps/registering-a-github-app-from-a-manifest):
 * app.yml's name, description, permissions and events, with the URLs of THIS server. Probot's
 * ManifestCreation builds it the same way but lets app.yml's deployment URLs win over the local
 * redirect, which would send GitHub's code to example.com; here the local ones win.
 */

export interface AppManifest {
  name: string;
  url: string;
  description?: string;
  hook_attributes: { url: string; active: boolean };
  redirect_url: string;
  public: boolean;
  default_permissions: Record<string, string>;
  default_events: string[];
}

/** The path GitHub redirects to with the code, on the local server. */
export const SETUP_CALLBACK_PATH = '/setup/callback';

export function buildManifest(appYml: string, urls: { serverUrl: string; webhookUrl?: string }): AppManifest {
  const file = parse(appYml) as Partial<AppManifest> | null;
  if (!file?.name || !file.url || !file.default_permissions || !file.default_events || !file.hook_attributes?.url) {
    throw new Error('app.yml must give name, url, hook_attributes.url, default_permissions and default_events');
  }
  return {
    name: file.name,
    url: file.url,
    ...(file.description === undefined ? {} : { description: file.description }),
    // Without a proxy channel GitHub cannot reach a local server: keep app.yml's deployment URL.
    hook_attributes: { url: urls.webhookUrl ?? file.hook_attributes.url, active: true },
    redirect_url: `${urls.serverUrl}${SETUP_CALLBACK_PATH}`,
    public: file.public ?? false,
    default_permissions: file.default_permissions,
    default_events: file.default_events,
  };
}
