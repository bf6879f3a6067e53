import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { type Environment, type Instance, InstanceSchema } from '../db/entities.ts';
import { conflict, notFound } from '../errors.ts';
import { isUniqueViolation, withVersionCheck } from './db-errors.ts';
import { ensureOrganization } from './organizations.ts';
import { nextFreeSlug, slugify } from './slug.ts';
import { type InstanceView, instanceView } from './views.ts';

export interface ListInstancesInput {
  limit: number;
  offset: number;
  environment?: Environment;
}

export async function listInstances(
  em: EntityManager,
  principal: Principal,
  input: ListInstancesInput,
): Promise<{ instances: InstanceView[]; total: number }> {
  const where = {
    org: principal.orgId,
    ...(input.environment ? { environment: input.environment } : {}),
  };
  const [items, total] = await em.findAndCount(InstanceSchema, where, {
    orderBy: { name: 'asc', id: 'asc' },
    limit: input.limit,
    offset: input.offset,
  });
  return { instances: items.map(instanceView), total };
}

export async function findInstance(em: EntityManager, principal: Principal, id: string): Promise<Instance> {
  const instance = await em.findOne(InstanceSchema, { id, org: principal.orgId });
  if (!instance) throw notFound('instance');
  return instance;
}

export async function getInstance(em: EntityManager, principal: Principal, id: string) {
  return instanceView(await findInstance(em, principal, id));
}

/** How a deployment tests and restarts the instance. */
export interface InstanceDeploySettings {
  testCommand?: string | null;
  restartCommand?: string | null;
  restartHookUrl?: string | null;
}

export interface CreateInstanceInput extends InstanceDeploySettings {
  name: string;
  slug?: string;
  environment: Environment;
}

export async function createInstance(
  em: EntityManager,
  principal: Principal,
  input: CreateInstanceInput,
): Promise<InstanceView> {
  await ensureOrganization(em, principal.orgId);
  let slug = input.slug;
  if (!slug) {
    const base = slugify(input.name, 'instance');
    const rows = await em.find(
      InstanceSchema,
      { org: principal.orgId, slug: { $like: `${base}%` } },
      { fields: ['slug'] },
    );
    slug = nextFreeSlug(base, new Set(rows.map((r) => r.slug)));
  }
  const instance = em.create(InstanceSchema, {
    org: principal.orgId,
    name: input.name,
    slug,
    environment: input.environment,
    testCommand: input.testCommand ?? null,
    restartCommand: input.restartCommand ?? null,
    restartHookUrl: input.restartHookUrl ?? null,
  });
  try {
    await em.flush();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`instance slug "${slug}" is taken`, 'slug');
    throw error;
  }
  return instanceView(instance);
}

export interface UpdateInstanceInput extends InstanceDeploySettings {
  name?: string;
  slug?: string;
  environment?: Environment;
  version?: number;
}

export async function updateInstance(
  em: EntityManager,
  principal: Principal,
  id: string,
  input: UpdateInstanceInput,
): Promise<InstanceView> {
  const instance = await findInstance(em, principal, id);
  if (input.version !== undefined && input.version !== instance.version) {
    throw conflict('instance was changed by another request; reload it and retry', 'version');
  }
  if (input.name !== undefined) instance.name = input.name;
  if (input.slug !== undefined) instance.slug = input.slug;
  if (input.environment !== undefined) instance.environment = input.environment;
  if (input.testCommand !== undefined) instance.testCommand = input.testCommand;
  if (input.restartCommand !== undefined) instance.restartCommand = input.restartCommand;
  if (input.restartHookUrl !== undefined) instance.restartHookUrl = input.restartHookUrl;
  await withVersionCheck('instance', async () => {
    try {
      await em.flush();
    } catch (error) {
      if (isUniqueViolation(error)) throw conflict(`instance slug "${input.slug}" is taken`, 'slug');
      throw error;
    }
  });
  return instanceView(instance);
}

/** Removing an instance also removes its project links and branch mappings (FK cascade). */
export async function deleteInstance(em: EntityManager, principal: Principal, id: string) {
  const deleted = await em.nativeDelete(InstanceSchema, { id, org: principal.orgId });
  if (deleted === 0) throw notFound('instance');
}
