import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import {
  type BranchMapping,
  type GitRepository,
  GitRepositorySchema,
  type Project,
  WebhookDeliverySchema,
} from '../db/entities.ts';
import { enqueueDeployment } from '../jobs.ts';
import type { PushEvent } from '../providers/events.ts';
import { parseDelivery } from '../providers/index.ts';
import { applyInstallationEvent } from './app-events.ts';
import { branchMatches } from './branch-mappings.ts';
import { insertDeployment, supersedeOlder } from './deployment-records.ts';
import { applyLifecycle, repositoriesByProviderId } from './lifecycle.ts';
import { sortMappings } from './views.ts';

const SKIP_MARKERS = ['[skip ci]', '[ci skip]', '[skip deploy]'];

/** A mapping pattern for tags is written `tags/<glob>`; any other pattern is for branches. */
function mappingTarget(pattern: string): { kind: 'branch' | 'tag'; glob: string } {
  return pattern.startsWith('tags/') ? { kind: 'tag', glob: pattern.slice(5) } : { kind: 'branch', glob: pattern };
}

/**
 * The instances a push deploys to: the lowest priority value with any
 * match wins, and every matching mapping at that level deploys.
 */
export function resolveTargets(mappings: BranchMapping[], push: Pick<PushEvent, 'refKind' | 'refName'>): string[] {
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

/** Projects connected to a repository (by provider id), with their mappings loaded. */
async function projectsOfRepository(
  em: EntityManager,
  provider: string,
  providerRepoId: string | null | undefined,
): Promise<Project[]> {
  if (!providerRepoId) return [];
  const repos = await em.find(
    GitRepositorySchema,
    { provider: provider as 'github', providerRepoId },
    { populate: ['project', 'project.branchMappings'] },
  );
  return repos.map((r) => r.project as Project);
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
    if (!delivery || delivery.status !== 'received') return;
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
    // The GitHub App's webhook names no project: every project connected to the repository deploys.
    const projects = project
      ? [project]
      : await projectsOfRepository(tem, delivery.provider, parsed.pushes[0]?.providerRepoId);
    if (projects.length === 0) {
      delivery.status = 'ignored';
      delivery.reason = 'no project is connected to this repository';
      return;
    }
    const reasons: string[] = [];
    let deployed = 0;
    for (const target of projects) {
      for (const push of parsed.pushes) {
        const outcome = await routePush(tem, boss, target, push, {
          trigger: 'webhook',
          deliveryId: delivery.deliveryId,
        });
        deployed += outcome.ignored ? 0 : outcome.deployments.length;
        if (outcome.ignored && projects.length === 1) reasons.push(outcome.ignored);
      }
    }
    if (projects.length > 1) reasons.push(`routed to ${projects.length} projects, ${deployed} deployments`);
    delivery.ref = parsed.pushes[0]?.refName ?? null;
    delivery.status = deployed > 0 ? 'accepted' : 'ignored';
    delivery.reason = reasons.length ? reasons.join('; ') : null;
  });
}
