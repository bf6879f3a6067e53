import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { DeploymentStatus, DeploymentTrigger } from '../db/entities.ts';

export interface NewDeployment {
  projectId: string;
  instanceId: string;
  ref: string;
  refKind: 'branch' | 'tag' | 'commit';
  commitSha: string;
  commitMessage?: string | null;
  pusher?: string | null;
  trigger: DeploymentTrigger;
  deliveryId?: string | null;
  status?: DeploymentStatus;
  statusReason?: string | null;
  /** Automatic deployments dedupe on instance + commit; manual ones do not. */
  dedupe: boolean;
}

/**
 * Inserts deployments in one statement. Automatic ones (dedupe) are skipped
 * when the same commit was already deployed (or queued) to that instance;
 * returns the rows actually inserted.
 */
export async function insertDeployments(
  em: EntityManager,
  list: NewDeployment[],
): Promise<Array<{ id: string; instanceId: string }>> {
  if (list.length === 0) return [];
  const values: unknown[] = [];
  const tuples = list.map((d) => {
    const terminal = d.status && d.status !== 'queued';
    values.push(
      randomUUID(),
      d.projectId,
      d.instanceId,
      d.ref,
      d.refKind,
      d.commitSha,
      d.commitMessage?.slice(0, 4000) ?? null,
      d.pusher?.slice(0, 255) ?? null,
      d.trigger,
      d.deliveryId ?? null,
      d.dedupe ? `${d.instanceId}:${d.commitSha}` : null,
      d.status ?? 'queued',
      d.statusReason ?? null,
    );
    return `(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, now(), ${terminal ? 'now()' : 'null'})`;
  });
  return em.execute(
    `insert into deployments
       (id, project_id, instance_id, ref, ref_kind, commit_sha, commit_message, pusher, trigger, delivery_id, dedupe_key,
        status, status_reason, attempt, created_at, finished_at)
     values ${tuples.join(', ')}
     on conflict (dedupe_key) do nothing returning id, instance_id as "instanceId"`,
    values,
  );
}

/** One deployment; null when an automatic one was already deployed to that instance. */
export async function insertDeployment(em: EntityManager, d: NewDeployment): Promise<string | null> {
  const [row] = await insertDeployments(em, [d]);
  return row?.id ?? null;
}

/**
 * A newer deployment of an instance makes its older queued deployments
 * pointless: each new one supersedes the queued ones created before it.
 */
export async function supersedeOlderOfMany(
  em: EntityManager,
  created: Array<{ id: string; instanceId: string }>,
): Promise<void> {
  if (created.length === 0) return;
  await em.execute(
    `update deployments d set status = 'superseded', status_reason = 'superseded by deployment ' || n.id, finished_at = now()
     from (select unnest(?::uuid[]) as id, unnest(?::uuid[]) as instance_id) n
     where d.instance_id = n.instance_id and d.status = 'queued' and d.id <> n.id
       and d.created_at <= (select created_at from deployments where id = n.id)`,
    // Array parameters as Postgres array literals (the ORM would expand a JS array into a list).
    [`{${created.map((c) => c.id).join(',')}}`, `{${created.map((c) => c.instanceId).join(',')}}`],
  );
}

export async function supersedeOlder(em: EntityManager, instanceId: string, newerId: string): Promise<void> {
  await supersedeOlderOfMany(em, [{ id: newerId, instanceId }]);
}
