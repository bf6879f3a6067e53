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
 * Inserts a deployment; for automatic ones, returns null when the same
 * commit was already deployed (or queued) to that instance.
 */
export async function insertDeployment(em: EntityManager, d: NewDeployment): Promise<string | null> {
  const id = randomUUID();
  const terminal = d.status && d.status !== 'queued';
  const rows: Array<{ id: string }> = await em.execute(
    `insert into deployments
       (id, project_id, instance_id, ref, ref_kind, commit_sha, commit_message, pusher, trigger, delivery_id, dedupe_key,
        status, status_reason, attempt, created_at, finished_at)
     values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, now(), ${terminal ? 'now()' : 'null'})
     on conflict (dedupe_key) do nothing returning id`,
    [
      id,
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
    ],
  );
  return rows[0]?.id ?? null;
}

/** A newer commit for an instance makes its older queued deployments pointless. */
export async function supersedeOlder(em: EntityManager, instanceId: string, newerId: string): Promise<number> {
  const rows: unknown[] = await em.execute(
    `update deployments set status = 'superseded', status_reason = ?, finished_at = now()
     where instance_id = ? and status = 'queued' and id <> ? and created_at <= (select created_at from deployments where id = ?)
     returning id`,
    [`superseded by deployment ${newerId}`, instanceId, newerId, newerId],
  );
  return rows.length;
}

/**
 * Inserts many automatic deployments of one commit at once (a push fanned
 * out to many projects); returns those not already deployed.
 */
export async function insertDeploymentsOfCommit(
  em: EntityManager,
  base: Omit<NewDeployment, 'projectId' | 'instanceId' | 'dedupe' | 'status' | 'statusReason'>,
  targets: Array<{ projectId: string; instanceId: string }>,
): Promise<Array<{ id: string; instanceId: string }>> {
  if (targets.length === 0) return [];
  const values: unknown[] = [];
  const tuples = targets.map((t) => {
    values.push(
      randomUUID(),
      t.projectId,
      t.instanceId,
      base.ref,
      base.refKind,
      base.commitSha,
      base.commitMessage?.slice(0, 4000) ?? null,
      base.pusher?.slice(0, 255) ?? null,
      base.trigger,
      base.deliveryId ?? null,
      `${t.instanceId}:${base.commitSha}`,
    );
    return "(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'queued', 0, now())";
  });
  return em.execute(
    `insert into deployments
       (id, project_id, instance_id, ref, ref_kind, commit_sha, commit_message, pusher, trigger, delivery_id, dedupe_key,
        status, attempt, created_at)
     values ${tuples.join(', ')}
     on conflict (dedupe_key) do nothing returning id, instance_id as "instanceId"`,
    values,
  );
}

/** Supersedes older queued deployments of these instances (all but the given new ones). */
export async function supersedeOlderOfMany(
  em: EntityManager,
  created: Array<{ id: string; instanceId: string }>,
): Promise<void> {
  if (created.length === 0) return;
  await em.execute(
    `update deployments d set status = 'superseded', status_reason = 'superseded by deployment ' || n.id, finished_at = now()
     from (select unnest(?::uuid[]) as id, unnest(?::uuid[]) as instance_id) n
     where d.instance_id = n.instance_id and d.status = 'queued' and d.id <> n.id`,
    // Array parameters as Postgres array literals (the ORM would expand a JS array into a list).
    [`{${created.map((c) => c.id).join(',')}}`, `{${created.map((c) => c.instanceId).join(',')}}`],
  );
}
