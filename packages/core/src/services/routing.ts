import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import { type GitRepository, type Project, WebhookDeliverySchema } from '../db/entities.ts';
import { enqueueDeployment, enqueueDeployments } from '../jobs.ts';
import type { PushEvent } from '../providers/events.ts';
import { parseDelivery } from '../providers/index.ts';
import { applyInstallationEvent } from './app-events.ts';
import { branchMatches } from './branch-mappings.ts';
import { insertDeployment, insertDeployments, supersedeOlder, supersedeOlderOfMany } from './deployment-records.ts';
import { applyLifecycle, repositoriesByProviderId } from './lifecycle.ts';
import { type MappingLike, sortMappings } from './views.ts';

const SKIP_MARKERS = ['[skip ci]', '[ci skip]', '[skip deploy]'];

/** A mapping pattern for tags is written `tags/<glob>`; any other pattern is for branches. */
function mappingTarget(pattern: string): { kind: 'branch' | 'tag'; glob: string } {
  return pattern.startsWith('tags/') ? { kind: 'tag', glob: pattern.slice(5) } : { kind: 'branch', glob: pattern };
}

/**
 * The instances a push deploys to: the lowest priority value with any
 * match wins, and every matching mapping at that level deploys.
 */
export function resolveTargets(mappings: MappingLike[], push: Pick<PushEvent, 'refKind' | 'refName'>): string[] {
  let level: number | undefined;
  const instances: string[] = [];
  for (const mapping of sortMappings(mappings)) {
    if (level !== undefined && mapping.priority !== level) break;
    const target = mappingTarget(mapping.branchPattern);
    if (target.kind !== push.refKind || !branchMatches(target.glob, push.refName)) continue;
    level = mapping.priority;
    if (!instances.includes(mapping.instance.id)) instances.push(mapping.instance.id);
  }
  return instances;
}

export interface PushOutcome {
  deployments: string[];
  ignored?: string;
}

/** Routes one push of a project: creates deployments (deduplicated per instance + commit) and enqueues them. */
export async function routePush(
  em: EntityManager,
  boss: PgBoss,
  project: Project,
  push: PushEvent,
  source: { trigger: 'webhook' | 'poll'; deliveryId: string | null },
): Promise<PushOutcome> {
  const label = `${push.refKind} ${push.refName}`;
  if (push.deleted || !push.after) return { deployments: [], ignored: `${label} was deleted` };
  const targets = resolveTargets(project.branchMappings.getItems(), push);
  if (targets.length === 0) return { deployments: [], ignored: `no branch mapping matches ${label}` };
  const marker = SKIP_MARKERS.find((m) => push.headCommitMessage?.toLowerCase().includes(m));
  const created: string[] = [];
  for (const instanceId of targets) {
    const id = await insertDeployment(em, {
      projectId: project.id,
      instanceId,
      ref: push.refName,
      refKind: push.refKind,
      commitSha: push.after,
      commitMessage: push.headCommitMessage,
      pusher: push.pusher,
      trigger: source.trigger,
      deliveryId: source.deliveryId,
      dedupe: !marker,
      ...(marker ? { status: 'skipped' as const, statusReason: `${marker} in the head commit message` } : {}),
    });
    if (!id) continue; // this commit already went (or is going) to this instance
    created.push(id);
    if (!marker) {
      await supersedeOlder(em, instanceId, id);
      await enqueueDeployment(boss, em, id, instanceId);
    }
  }
  if (marker) return { deployments: created, ignored: `skipped: ${marker} in the head commit message` };
  if (created.length === 0)
    return { deployments: [], ignored: `commit ${push.after.slice(0, 7)} was already deployed` };
  return { deployments: created };
}

/** A project an app-webhook push fans out to, with just what routing needs. */
interface FanOutTarget {
  id: string;
  mappings: MappingLike[];
}

/** Projects connected to a repository (by provider id) and their mappings, read in one lean query. */
async function fanOutTargets(
  em: EntityManager,
  provider: string,
  providerRepoId: string | null | undefined,
): Promise<FanOutTarget[]> {
  if (!providerRepoId) return [];
  const rows: Array<{
    project_id: string;
    branch_pattern: string | null;
    instance_id: string | null;
    priority: number | null;
    created_at: Date | null;
  }> = await em.execute(
    `select r.project_id, m.branch_pattern, m.instance_id, m.priority, m.created_at
       from git_repositories r left join branch_mappings m on m.project_id = r.project_id
       where r.provider = ? and r.provider_repo_id = ?`,
    [provider, providerRepoId],
  );
  const byProject = new Map<string, FanOutTarget>();
  for (const row of rows) {
    const target = byProject.get(row.project_id) ?? { id: row.project_id, mappings: [] };
    if (row.branch_pattern && row.instance_id) {
      target.mappings.push({
        branchPattern: row.branch_pattern,
        priority: row.priority ?? 0,
        createdAt: new Date(row.created_at ?? 0),
        instance: { id: row.instance_id },
      });
    }
    byProject.set(row.project_id, target);
  }
  return [...byProject.values()];
}

/**
 * One push to every project connected to a repository (the GitHub App's
 * webhook): the same routing rules per project, written with one INSERT,
 * one UPDATE and one enqueue, however many projects there are.
 */
async function fanOutPush(
  em: EntityManager,
  boss: PgBoss,
  targets: FanOutTarget[],
  push: PushEvent,
  deliveryId: string,
): Promise<PushOutcome> {
  const label = `${push.refKind} ${push.refName}`;
  if (push.deleted || !push.after) return { deployments: [], ignored: `${label} was deleted` };
  const marker = SKIP_MARKERS.find((m) => push.headCommitMessage?.toLowerCase().includes(m));
  if (marker) return { deployments: [], ignored: `skipped: ${marker} in the head commit message` };
  const rows = targets.flatMap((t) =>
    resolveTargets(t.mappings, push).map((instanceId) => ({ projectId: t.id, instanceId })),
  );
  if (rows.length === 0) return { deployments: [], ignored: `no branch mapping matches ${label}` };
  const after = push.after;
  const created = await insertDeployments(
    em,
    rows.map((row) => ({
      ...row,
      ref: push.refName,
      refKind: push.refKind,
      commitSha: after,
      commitMessage: push.headCommitMessage,
      pusher: push.pusher,
      trigger: 'webhook' as const,
      deliveryId,
      dedupe: true,
    })),
  );
  await supersedeOlderOfMany(em, created);
  await enqueueDeployments(
    boss,
    em,
    created.map((c) => ({ deploymentId: c.id, instanceId: c.instanceId })),
  );
  return { deployments: created.map((c) => c.id) };
}

/** Processes a stored webhook delivery once: parse, route, record the outcome. */
export async function routeDelivery(em: EntityManager, boss: PgBoss, deliveryRowId: string): Promise<void> {
  await em.transactional(async (tem) => {
    // A retried job and a redelivery must not route the same delivery twice at once.
    await tem.execute('select id from webhook_deliveries where id = ? for update', [deliveryRowId]);
    const delivery = await tem.findOne(
      WebhookDeliverySchema,
      { id: deliveryRowId },
      { populate: ['project', 'project.branchMappings', 'project.repository'] },
    );
    if (delivery?.status !== 'received') return;
    const project = delivery.project as Project | null;
    delivery.processedAt = new Date();
    const parsed = parseDelivery(delivery.provider, delivery.event, delivery.payload);
    if (parsed.kind === 'other') {
      delivery.status = 'ignored';
      delivery.reason = parsed.reason;
      return;
    }
    if (parsed.kind === 'installation') {
      delivery.status = 'accepted';
      delivery.reason = await applyInstallationEvent(tem, parsed.event);
      return;
    }
    if (parsed.kind === 'lifecycle') {
      const repos = project
        ? [project.repository].filter((r): r is GitRepository => Boolean(r))
        : parsed.event.providerRepoId
          ? await repositoriesByProviderId(tem, delivery.provider, parsed.event.providerRepoId)
          : [];
      delivery.status = 'accepted';
      delivery.reason = await applyLifecycle(tem, boss, repos, parsed.event);
      return;
    }
    const reasons: string[] = [];
    let deployed = 0;
    if (!project) {
      // The GitHub App's webhook names no project: every project connected to the repository deploys.
      const targets = await fanOutTargets(tem, delivery.provider, parsed.pushes[0]?.providerRepoId);
      for (const push of parsed.pushes) {
        const outcome = await fanOutPush(tem, boss, targets, push, delivery.deliveryId);
        deployed += outcome.deployments.length;
        if (outcome.ignored) reasons.push(outcome.ignored);
      }
      reasons.push(`${targets.length} connected projects, ${deployed} deployments`);
    } else {
      for (const push of parsed.pushes) {
        const outcome = await routePush(tem, boss, project, push, {
          trigger: 'webhook',
          deliveryId: delivery.deliveryId,
        });
        deployed += outcome.ignored ? 0 : outcome.deployments.length;
        if (outcome.ignored) reasons.push(outcome.ignored);
      }
    }
    delivery.ref = parsed.pushes[0]?.refName?.slice(0, 300) ?? null;
    delivery.status = deployed > 0 ? 'accepted' : 'ignored';
    delivery.reason = reasons.length ? reasons.join('; ') : null;
  });
}
