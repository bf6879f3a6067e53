import type { EntityManager } from '@mikro-orm/postgresql';
import { fromKysely, type PgBoss } from 'pg-boss';
import type { Principal } from '../auth/permissions.ts';
import {
  type DeliveryStatus,
  DeploymentSchema,
  type GitRepository,
  type WebhookDelivery,
  WebhookDeliverySchema,
} from '../db/entities.ts';
import { conflict, notFound } from '../errors.ts';
import { QUEUES } from '../jobs.ts';
import { findProject } from './projects.ts';
import { isoOrNull } from './views.ts';

export interface DeliveryView {
  id: string;
  provider: string;
  deliveryId: string;
  event: string;
  ref: string | null;
  status: string;
  reason: string | null;
  receivedAt: string;
  processedAt: string | null;
  deployments: Array<{ id: string; instanceId: string; commitSha: string; status: string }>;
}

async function deploymentsByDelivery(em: EntityManager, projectId: string, deliveryIds: string[]) {
  if (deliveryIds.length === 0) return new Map<string, DeliveryView['deployments']>();
  const rows = await em.find(
    DeploymentSchema,
    { project: projectId, deliveryId: { $in: deliveryIds } },
    { orderBy: { createdAt: 'asc' } },
  );
  const map = new Map<string, DeliveryView['deployments']>();
  for (const d of rows) {
    const list = map.get(d.deliveryId ?? '') ?? [];
    list.push({ id: d.id, instanceId: d.instance.id, commitSha: d.commitSha, status: d.status });
    map.set(d.deliveryId ?? '', list);
  }
  return map;
}

type DeliveryFields = Pick<
  WebhookDelivery,
  'id' | 'provider' | 'deliveryId' | 'event' | 'ref' | 'status' | 'reason' | 'receivedAt' | 'processedAt'
>;

function view(d: DeliveryFields, deployments: DeliveryView['deployments']): DeliveryView {
  return {
    id: d.id,
    provider: d.provider,
    deliveryId: d.deliveryId,
    event: d.event,
    ref: d.ref ?? null,
    status: d.status,
    reason: d.reason ?? null,
    receivedAt: d.receivedAt.toISOString(),
    processedAt: d.processedAt ? d.processedAt.toISOString() : null,
    deployments,
  };
}

/** The project's webhook delivery log, newest first. */
export async function listDeliveries(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: { limit: number; offset: number; status?: DeliveryStatus },
) {
  await findProject(em, principal, projectId);
  const [items, total] = await em.findAndCount(
    WebhookDeliverySchema,
    { project: projectId, ...(input.status ? { status: input.status } : {}) },
    {
      orderBy: { receivedAt: 'desc', id: 'desc' },
      limit: input.limit,
      offset: input.offset,
      exclude: ['payload', 'headers'],
    },
  );
  const deployments = await deploymentsByDelivery(
    em,
    projectId,
    items.map((d) => d.deliveryId),
  );
  return { deliveries: items.map((d) => view(d, deployments.get(d.deliveryId) ?? [])), total };
}

async function findDelivery(em: EntityManager, principal: Principal, projectId: string, id: string) {
  await findProject(em, principal, projectId);
  const delivery = await em.findOne(WebhookDeliverySchema, { id, project: projectId });
  if (!delivery) throw notFound('delivery');
  return delivery;
}

/** One delivery with its (secret-free) headers and payload. */
export async function getDelivery(em: EntityManager, principal: Principal, projectId: string, id: string) {
  const d = await findDelivery(em, principal, projectId, id);
  const deployments = await deploymentsByDelivery(em, projectId, [d.deliveryId]);
  return { ...view(d, deployments.get(d.deliveryId) ?? []), headers: d.headers, payload: d.payload };
}

/**
 * Runs a stored delivery through routing again. Commits already deployed
 * to an instance are not deployed twice; fix a mapping, then redeliver.
 */
export async function redeliver(em: EntityManager, principal: Principal, projectId: string, id: string, boss: PgBoss) {
  const d = await findDelivery(em, principal, projectId, id);
  if (d.status === 'received') throw conflict('the delivery is still being processed', 'status');
  await em.transactional(async (tem) => {
    await tem.nativeUpdate(WebhookDeliverySchema, { id }, { status: 'received', reason: null, processedAt: null });
    await boss.send(QUEUES.webhookProcess, { deliveryId: id }, { db: fromKysely(tem.getKysely()) });
  });
  return getDelivery(em.fork(), principal, projectId, id);
}

export interface WebhookHealth {
  webhookUrl: string | null;
  lastDeliveryAt: string | null;
  lastAcceptedAt: string | null;
  recentSignatureFailures: number;
  lastFailureAt: string | null;
  lastFailureReason: string | null;
  deliveriesLast24h: Record<string, number>;
}

/** What "webhook not triggering deployments" needs, from the API alone. */
export async function webhookHealth(
  em: EntityManager,
  principal: Principal,
  projectId: string,
): Promise<WebhookHealth> {
  const project = await findProject(em, principal, projectId);
  const repo = project.repository as GitRepository | null | undefined;
  if (!repo) throw notFound('repository connection');
  const rows: Array<{ status: string; n: number; last: Date | null }> = await em.execute(
    `select status, count(*)::int as n, max(received_at) as last from webhook_deliveries
     where project_id = ? and received_at > now() - interval '24 hours' group by status`,
    [projectId],
  );
  const latest: Array<{ last: Date | null; accepted: Date | null }> = await em.execute(
    `select max(received_at) as last, max(received_at) filter (where status = 'accepted') as accepted
     from webhook_deliveries where project_id = ?`,
    [projectId],
  );
  const recent = repo.lastRejectedAt && Date.now() - repo.lastRejectedAt.getTime() < 86_400_000;
  return {
    webhookUrl: repo.webhookUrl ?? null,
    lastDeliveryAt: isoOrNull(latest[0]?.last),
    lastAcceptedAt: isoOrNull(latest[0]?.accepted),
    recentSignatureFailures: recent ? repo.recentRejections : 0,
    lastFailureAt: isoOrNull(repo.lastRejectedAt),
    lastFailureReason: repo.lastRejectionReason ?? null,
    deliveriesLast24h: Object.fromEntries(rows.map((r) => [r.status, r.n])),
  };
}

/**
 * Deletes processed deliveries received more than `days` days ago (the
 * delivery log's retention). Deliveries not yet processed stay, whatever
 * their age; deployments keep the provider's delivery id. 0 keeps everything.
 */
export async function pruneDeliveries(em: EntityManager, days: number, now = new Date()): Promise<number> {
  if (days <= 0) return 0;
  const cutoff = new Date(now.getTime() - days * 86_400_000);
  return em.nativeDelete(WebhookDeliverySchema, { receivedAt: { $lt: cutoff }, status: { $ne: 'received' } });
}
