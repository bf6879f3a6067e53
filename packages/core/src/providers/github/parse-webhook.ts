import { isZeroSha, type LifecycleEvent, type ParsedDelivery, splitRef } from '../events.ts';

interface GitHubPush {
  ref?: string;
  before?: string;
  after?: string;
  created?: boolean;
  deleted?: boolean;
  forced?: boolean;
  head_commit?: { message?: string } | null;
  pusher?: { name?: string } | null;
  sender?: { login?: string } | null;
  repository?: { id?: number } | null;
}

/** GitHub delivery (`X-GitHub-Event`) → our events. */
export function parseGitHubDelivery(event: string, payload: unknown): ParsedDelivery {
  if (event === 'ping') return { kind: 'other', reason: 'ping' };
  if (event === 'repository') return parseRepositoryEvent(payload as GitHubRepositoryEvent);
  if (event === 'installation' || event === 'installation_repositories') {
    const body = payload as {
      action?: string;
      installation?: { id?: number };
      repositories_added?: Array<{ id: number }>;
      repositories_removed?: Array<{ id: number }>;
    };
    if (!body.installation?.id) return { kind: 'other', reason: `${event} without an installation` };
    return {
      kind: 'installation',
      event: {
        action: `${event}.${body.action ?? ''}`,
        installationId: body.installation.id,
        added: (body.repositories_added ?? []).map((r) => String(r.id)),
        removed: (body.repositories_removed ?? []).map((r) => String(r.id)),
      },
    };
  }
  if (event !== 'push') return { kind: 'other', reason: `event ${event} does not deploy` };
  const push = payload as GitHubPush;
  const ref = push.ref ? splitRef(push.ref) : null;
  if (!ref) return { kind: 'other', reason: `push to ${push.ref ?? 'an unknown ref'} is not a branch or tag` };
  return {
    kind: 'push',
    pushes: [
      {
        ...ref,
        before: isZeroSha(push.before) ? null : (push.before ?? null),
        after: isZeroSha(push.after) ? null : (push.after ?? null),
        forced: Boolean(push.forced),
        deleted: Boolean(push.deleted) || isZeroSha(push.after),
        created: Boolean(push.created) || isZeroSha(push.before),
        headCommitMessage: push.head_commit?.message ?? null,
        pusher: push.pusher?.name ?? push.sender?.login ?? null,
        providerRepoId: push.repository?.id !== undefined ? String(push.repository.id) : null,
      },
    ],
  };
}

interface GitHubRepositoryEvent {
  action?: string;
  repository?: { id?: number; name?: string; owner?: { login?: string }; default_branch?: string };
  changes?: { default_branch?: unknown };
}

const REPOSITORY_ACTIONS: Record<string, LifecycleEvent['action']> = {
  renamed: 'renamed',
  transferred: 'transferred',
  archived: 'archived',
  unarchived: 'unarchived',
  deleted: 'deleted',
  edited: 'updated',
};

/** GitHub `repository` events: renamed, transferred, archived, unarchived, deleted, edited. */
function parseRepositoryEvent(payload: GitHubRepositoryEvent): ParsedDelivery {
  const action = REPOSITORY_ACTIONS[payload.action ?? ''];
  if (!action)
    return { kind: 'other', reason: `repository ${payload.action ?? 'event'} does not change the connection` };
  const repo = payload.repository;
  return {
    kind: 'lifecycle',
    event: {
      action,
      providerRepoId: repo?.id !== undefined ? String(repo.id) : null,
      owner: repo?.owner?.login,
      name: repo?.name,
      defaultBranch: repo?.default_branch,
    },
  };
}
