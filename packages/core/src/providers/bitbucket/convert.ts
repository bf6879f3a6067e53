import type { RemoteDeployKey, RemoteRepository, RemoteWebhook } from '../port.ts';

/** Bitbucket JSON → our model. The only place that reads Bitbucket repository, hook and key JSON. */
export interface BitbucketRepoJson {
  uuid: string;
  slug: string;
  full_name: string;
  is_private: boolean;
  mainbranch?: { name: string } | null;
  workspace?: { slug: string };
  links: { html: { href: string }; clone?: Array<{ name: string; href: string }> };
}

export function toRepository(repo: BitbucketRepoJson): RemoteRepository {
  const clone = (name: string) => repo.links.clone?.find((c) => c.name === name)?.href ?? '';
  return {
    providerRepoId: repo.uuid,
    owner: repo.workspace?.slug ?? repo.full_name.split('/')[0] ?? '',
    name: repo.slug,
    defaultBranch: repo.mainbranch?.name ?? 'main',
    visibility: repo.is_private ? 'private' : 'public',
    archived: false,
    httpsCloneUrl: clone('https').replace(/\/\/[^@/]+@/, '//'),
    sshCloneUrl: clone('ssh'),
    webUrl: repo.links.html.href,
  };
}

export interface BitbucketHookJson {
  uuid: string;
  url: string;
  active: boolean;
  events: string[];
}

export const toWebhook = (hook: BitbucketHookJson): RemoteWebhook => ({
  id: hook.uuid,
  url: hook.url,
  active: hook.active,
  events: hook.events,
});

export const toDeployKey = (key: { id: number; key: string }): RemoteDeployKey => ({
  id: String(key.id),
  key: key.key,
  readOnly: true,
});

export const STATE: Record<string, 'INPROGRESS' | 'SUCCESSFUL' | 'FAILED' | 'STOPPED'> = {
  pending: 'INPROGRESS',
  running: 'INPROGRESS',
  success: 'SUCCESSFUL',
  failure: 'FAILED',
  cancelled: 'STOPPED',
};
