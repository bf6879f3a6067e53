import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import {
  type Deployment,
  DeploymentSchema,
  type DeploymentStatus,
  type DeploymentStep,
  type GitRepository,
  TERMINAL_STATUSES,
} from '../db/entities.ts';
import { resolveRemoteRef } from '../deploy/git.ts';
import { BoundedLog } from '../deploy/run-command.ts';
import { transportFor } from '../deploy/transport.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { enqueueDeployment } from '../jobs.ts';
import { insertDeployment, supersedeOlder } from './deployment-records.ts';
import { findProject } from './projects.ts';
import type { RepositoryDeps } from './repositories.ts';
import { isoOrNull } from './views.ts';

export interface DeploymentStepView {
  name: string;
  status: string;
  startedAt: string | null;
  finishedAt: string | null;
  durationMs: number | null;
  log: string;
}

export interface DeploymentView {
  id: string;
  projectId: string;
  instanceId: string;
  ref: string;
  refKind: string;
  commitSha: string;
  commitMessage: string | null;
  pusher: string | null;
  trigger: string;
  deliveryId: string | null;
  status: string;
  statusReason: string | null;
  attempt: number;
  releasePath: string | null;
  createdAt: string;
  startedAt: string | null;
  finishedAt: string | null;
  steps?: DeploymentStepView[];
}

export function deploymentView(d: Deployment, steps?: DeploymentStep[]): DeploymentView {
  return {
    id: d.id,
    projectId: d.project.id,
    instanceId: d.instance.id,
    ref: d.ref,
    refKind: d.refKind,
    commitSha: d.commitSha,
    commitMessage: d.commitMessage ?? null,
    pusher: d.pusher ?? null,
    trigger: d.trigger,
    deliveryId: d.deliveryId ?? null,
    status: d.status,
    statusReason: d.statusReason ?? null,
    attempt: d.attempt,
    releasePath: d.releasePath ?? null,
    createdAt: d.createdAt.toISOString(),
    startedAt: isoOrNull(d.startedAt),
    finishedAt: isoOrNull(d.finishedAt),
    ...(steps
      ? {
          steps: [...steps]
            .sort((a, b) => a.position - b.position)
            .map((s) => ({
              name: s.name,
              status: s.status,
              startedAt: isoOrNull(s.startedAt),
              finishedAt: isoOrNull(s.finishedAt),
              durationMs: s.startedAt && s.finishedAt ? s.finishedAt.getTime() - s.startedAt.getTime() : null,
              log: s.log,
            })),
        }
      : {}),
  };
}

export interface ListDeploymentsInput {
  limit: number;
  offset: number;
  status?: DeploymentStatus;
  instanceId?: string;
}

export async function listDeployments(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: ListDeploymentsInput,
) {
  await findProject(em, principal, projectId);
  const where = {
    project: projectId,
    ...(input.status ? { status: input.status } : {}),
    ...(input.instanceId ? { instance: input.instanceId } : {}),
  };
  const [items, total] = await em.findAndCount(DeploymentSchema, where, {
    orderBy: { createdAt: 'desc', id: 'desc' },
    limit: input.limit,
    offset: input.offset,
  });
  return { deployments: items.map((d) => deploymentView(d)), total };
}

async function findDeployment(em: EntityManager, principal: Principal, id: string): Promise<Deployment> {
  const deployment = await em.findOne(
    DeploymentSchema,
    { id, project: { org: principal.orgId } },
    { populate: ['steps'] },
  );
  if (!deployment) throw notFound('deployment');
  return deployment;
}

export async function getDeployment(em: EntityManager, principal: Principal, id: string): Promise<DeploymentView> {
  const d = await findDeployment(em, principal, id);
  return deploymentView(d, d.steps.getItems());
}

export interface ManualDeploymentInput {
  instanceId: string;
  branch?: string;
  tag?: string;
  commitSha?: string;
}

/**
 * Deploys a branch head (resolved on the remote with `git ls-remote`), a tag
 * or an exact commit to an instance linked to the project.
 */
export async function createManualDeployment(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: ManualDeploymentInput,
  deps: RepositoryDeps,
): Promise<DeploymentView> {
  const project = await findProject(em, principal, projectId);
  const repo = project.repository as GitRepository | null | undefined;
  if (!repo) throw conflict('connect a repository before deploying', 'repository');
  if (!project.instanceLinks.getItems().some((l) => l.instance.id === input.instanceId)) {
    throw invalid('instanceId', 'the instance is not linked to this project');
  }
  const given = [input.branch, input.tag, input.commitSha].filter((v) => v !== undefined).length;
  if (given !== 1) throw invalid('branch', 'give exactly one of branch, tag or commitSha');
  let sha = input.commitSha?.toLowerCase();
  let ref = sha ?? '';
  let refKind: 'branch' | 'tag' | 'commit' = 'commit';
  if (input.branch !== undefined || input.tag !== undefined) {
    refKind = input.branch !== undefined ? 'branch' : 'tag';
    ref = (input.branch ?? input.tag) as string;
    const full = refKind === 'branch' ? `refs/heads/${ref}` : `refs/tags/${ref}`;
    const log = new BoundedLog(8 * 1024);
    let resolved: string | null;
    try {
      resolved = await resolveRemoteRef(
        await transportFor(repo, deps.secrets, deps.dataDir, deps.installationToken),
        full,
        log,
      );
    } catch {
      throw invalid(
        refKind,
        `could not read the repository: ${log.toString().trim().split('\n').at(-1) ?? 'git failed'}`,
      );
    }
    if (!resolved) throw invalid(refKind, `${refKind} ${ref} does not exist in the repository`);
    sha = resolved;
  }
  const id = await em.transactional(async (tem) => {
    const created = await insertDeployment(tem, {
      projectId,
      instanceId: input.instanceId,
      ref,
      refKind,
      commitSha: sha as string,
      pusher: principal.userId,
      trigger: 'manual',
      dedupe: false,
    });
    if (!created) throw conflict('deployment could not be created');
    await supersedeOlder(tem, input.instanceId, created);
    await enqueueDeployment(deps.boss, tem, created, input.instanceId);
    return created;
  });
  return getDeployment(em.fork(), principal, id);
}

/** Cancels a queued or running deployment; a running one stops before its next step. */
export async function cancelDeployment(em: EntityManager, principal: Principal, id: string): Promise<DeploymentView> {
  const d = await findDeployment(em, principal, id);
  if (TERMINAL_STATUSES.includes(d.status)) throw conflict(`deployment is already ${d.status}`, 'status');
  await em.nativeUpdate(
    DeploymentSchema,
    { id, status: { $in: ['queued', 'running'] } },
    { status: 'cancelled', statusReason: `cancelled by ${principal.userId}`, finishedAt: new Date() },
  );
  return getDeployment(em.fork(), principal, id);
}

/** Deploys the same commit to the same instance again, as a new manual deployment. */
export async function redeploy(
  em: EntityManager,
  principal: Principal,
  id: string,
  deps: RepositoryDeps,
): Promise<DeploymentView> {
  const d = await findDeployment(em, principal, id);
  const newId = await em.transactional(async (tem) => {
    const created = await insertDeployment(tem, {
      projectId: d.project.id,
      instanceId: d.instance.id,
      ref: d.ref,
      refKind: d.refKind,
      commitSha: d.commitSha,
      commitMessage: d.commitMessage,
      pusher: principal.userId,
      trigger: 'manual',
      dedupe: false,
    });
    if (!created) throw conflict('deployment could not be created');
    await supersedeOlder(tem, d.instance.id, created);
    await enqueueDeployment(deps.boss, tem, created, d.instance.id);
    return created;
  });
  return getDeployment(em.fork(), principal, newId);
}
