import { isZeroSha, type ParsedDelivery, splitRef } from '../events.ts';

interface GitLabPush {
  object_kind?: string;
  event_name?: string;
  ref?: string;
  before?: string;
  after?: string;
  checkout_sha?: string | null;
  user_username?: string;
  user_name?: string;
  project_id?: number;
  project?: { id?: number } | null;
  commits?: Array<{ id?: string; message?: string }>;
}

/** GitLab delivery (`X-Gitlab-Event`, or `object_kind`) → our events. GitLab has no forced flag. */
export function parseGitLabDelivery(event: string, payload: unknown): ParsedDelivery {
  const push = payload as GitLabPush;
  const kind = push.object_kind ?? push.event_name;
  const lifecycle = parseSystemHook(payload as GitLabSystemHook);
  if (lifecycle) return lifecycle;
  if (kind !== 'push' && kind !== 'tag_push')
    return { kind: 'other', reason: `event ${event || kind} does not deploy` };
  const ref = push.ref ? splitRef(push.ref) : null;
  if (!ref) return { kind: 'other', reason: `push to ${push.ref ?? 'an unknown ref'} is not a branch or tag` };
  const after = isZeroSha(push.after) ? null : (push.after ?? null);
  const head = push.commits?.find((c) => c.id === after) ?? push.commits?.at(-1);
  const projectId = push.project?.id ?? push.project_id;
  return {
    kind: 'push',
    pushes: [
      {
        ...ref,
        before: isZeroSha(push.before) ? null : (push.before ?? null),
        after,
        forced: false,
        deleted: after === null,
        created: isZeroSha(push.before),
        headCommitMessage: head?.message ?? null,
        pusher: push.user_username ?? push.user_name ?? null,
        providerRepoId: projectId !== undefined ? String(projectId) : null,
      },
    ],
  };
}

interface GitLabSystemHook {
  event_name?: string;
  project_id?: number;
  path?: string;
  path_with_namespace?: string;
}

const SYSTEM_ACTIONS: Record<string, 'renamed' | 'transferred' | 'deleted' | 'updated'> = {
  project_rename: 'renamed',
  project_transfer: 'transferred',
  project_destroy: 'deleted',
  project_update: 'updated',
};

/** GitLab system hooks about projects: project_rename, project_transfer, project_destroy, project_update. */
function parseSystemHook(hook: GitLabSystemHook): ParsedDelivery | null {
  const action = SYSTEM_ACTIONS[hook.event_name ?? ''];
  if (!action) return null;
  const full = hook.path_with_namespace;
  return {
    kind: 'lifecycle',
    event: {
      action,
      providerRepoId: hook.project_id !== undefined ? String(hook.project_id) : null,
      ...(full ? { owner: full.split('/').slice(0, -1).join('/'), name: full.split('/').at(-1) } : {}),
    },
  };
}
