import type { RemoteDeployKey, RemoteRepository, RemoteWebhook } from '../port.ts';

/** GitHub JSON → our model. The only place that reads GitHub repository, hook and key JSON. */
export interface GitHubRepoJson {
  id: number;
  name: string;
  owner: { login: string };
  default_branch?: string;
  private: boolean;
  visibility?: string;
  archived?: boolean;
  clone_url?: string;
  ssh_url?: string;
  html_url: string;
  permissions?: { admin?: boolean; push?: boolean; pull?: boolean };
}

export function toRepository(repo: GitHubRepoJson): RemoteRepository {
  return {
    providerRepoId: String(repo.id),
    owner: repo.owner.login,
    name: repo.name,
    defaultBranch: repo.default_branch ?? 'main',
    visibility: repo.visibility === 'internal' ? 'internal' : repo.private ? 'private' : 'public',
    archived: repo.archived ?? false,
    httpsCloneUrl: repo.clone_url ?? `${repo.html_url}.git`,
    sshCloneUrl: repo.ssh_url ?? '',
    webUrl: repo.html_url,
  };
}

export function toWebhook(hook: {
  id: number;
  active: boolean;
  events: string[];
  config: { url?: string };
}): RemoteWebhook {
  return { id: String(hook.id), url: hook.config.url ?? '', active: hook.active, events: hook.events };
}

export function toDeployKey(key: { id: number; key: string; read_only?: boolean }): RemoteDeployKey {
  return { id: String(key.id), key: key.key, readOnly: key.read_only ?? true };
}

export const STATE: Record<string, 'pending' | 'success' | 'failure' | 'error'> = {
  pending: 'pending',
  running: 'pending',
  success: 'success',
  failure: 'failure',
  cancelled: 'error',
};
