import type { RemoteDeployKey, RemoteRepository, RemoteWebhook } from '../port.ts';

/** GitLab JSON → our model. The only place that reads GitLab project, hook and key JSON. */
export interface GitLabProjectJson {
  id: number;
  path: string;
  path_with_namespace: string;
  namespace: { full_path: string };
  default_branch?: string | null;
  visibility?: string;
  archived?: boolean;
  http_url_to_repo: string;
  ssh_url_to_repo: string;
  web_url: string;
  permissions?: {
    project_access?: { access_level: number } | null;
    group_access?: { access_level: number } | null;
  };
}

export function toRepository(project: GitLabProjectJson): RemoteRepository {
  return {
    providerRepoId: String(project.id),
    owner: project.namespace.full_path,
    name: project.path,
    defaultBranch: project.default_branch ?? 'main',
    visibility: project.visibility === 'internal' ? 'internal' : project.visibility === 'public' ? 'public' : 'private',
    archived: project.archived ?? false,
    httpsCloneUrl: project.http_url_to_repo,
    sshCloneUrl: project.ssh_url_to_repo,
    webUrl: project.web_url,
  };
}

export interface GitLabHookJson {
  id: number;
  url: string;
  push_events?: boolean;
  tag_push_events?: boolean;
  alert_status?: string;
  disabled_until?: string | null;
}

export function toWebhook(hook: GitLabHookJson): RemoteWebhook {
  const events = [hook.push_events ? 'push' : null, hook.tag_push_events ? 'tag_push' : null].filter(
    (e): e is string => e !== null,
  );
  const disabled = hook.alert_status === 'disabled' || hook.alert_status === 'temporarily_disabled';
  return { id: String(hook.id), url: hook.url, active: !disabled, events };
}

export function toDeployKey(key: { id: number; key: string; can_push?: boolean }): RemoteDeployKey {
  return { id: String(key.id), key: key.key, readOnly: !key.can_push };
}

/** Maintainer (40) or more may manage hooks and deploy keys. */
export const MAINTAINER = 40;

export const STATE: Record<string, 'pending' | 'running' | 'success' | 'failed' | 'canceled'> = {
  pending: 'pending',
  running: 'running',
  success: 'success',
  failure: 'failed',
  cancelled: 'canceled',
};
