import type { ParsedDelivery, PushEvent } from '../events.ts';

interface BitbucketRefState {
  type?: string;
  name?: string;
  target?: { hash?: string; message?: string };
}

interface BitbucketPush {
  actor?: { nickname?: string; display_name?: string; username?: string } | null;
  repository?: { uuid?: string } | null;
  push?: {
    changes?: Array<{
      new?: BitbucketRefState | null;
      old?: BitbucketRefState | null;
      created?: boolean;
      closed?: boolean;
      forced?: boolean;
    }>;
  };
}

const refKind = (type: string | undefined): 'branch' | 'tag' | null =>
  type === 'branch' || type === 'named_branch' ? 'branch' : type === 'tag' || type === 'annotated_tag' ? 'tag' : null;

/** Bitbucket delivery (`X-Event-Key`) → our events; one push may change several refs. */
export function parseBitbucketDelivery(event: string, payload: unknown): ParsedDelivery {
  if (event === 'repo:updated') return parseRepoUpdated(payload as BitbucketRepoUpdated);
  if (event !== 'repo:push') return { kind: 'other', reason: `event ${event} does not deploy` };
  const body = payload as BitbucketPush;
  const pushes: PushEvent[] = [];
  for (const change of body.push?.changes ?? []) {
    const state = change.new ?? change.old;
    const kind = refKind(state?.type);
    if (!state?.name || !kind) continue;
    pushes.push({
      refKind: kind,
      refName: state.name,
      before: change.old?.target?.hash ?? null,
      after: change.new?.target?.hash ?? null,
      forced: Boolean(change.forced),
      deleted: Boolean(change.closed) || !change.new,
      created: Boolean(change.created) || !change.old,
      headCommitMessage: change.new?.target?.message ?? null,
      pusher: body.actor?.nickname ?? body.actor?.username ?? body.actor?.display_name ?? null,
      providerRepoId: body.repository?.uuid ?? null,
    });
  }
  if (pushes.length === 0) return { kind: 'other', reason: 'push without branch or tag changes' };
  return { kind: 'push', pushes };
}

interface BitbucketRepoUpdated {
  repository?: { uuid?: string; full_name?: string; workspace?: { slug?: string } };
  changes?: { full_name?: { new?: string; old?: string }; name?: { new?: string }; slug?: { new?: string } };
}

/** Bitbucket `repo:updated`: the repository's name, slug or workspace changed. */
function parseRepoUpdated(payload: BitbucketRepoUpdated): ParsedDelivery {
  const full = payload.changes?.full_name?.new ?? payload.repository?.full_name;
  const [owner, name] = full ? [full.split('/')[0], full.split('/')[1]] : [undefined, undefined];
  return {
    kind: 'lifecycle',
    event: {
      action: payload.changes?.full_name || payload.changes?.name || payload.changes?.slug ? 'renamed' : 'updated',
      providerRepoId: payload.repository?.uuid ?? null,
      ...(owner && name ? { owner, name } : {}),
    },
  };
}
