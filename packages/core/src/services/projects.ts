import type { EntityManager } from '@mikro-orm/postgresql';
import { visibleProjects } from '../auth/access.ts';
import type { Principal } from '../auth/permissions.ts';
import {
  BranchMappingSchema,
  InstanceSchema,
  type Project,
  ProjectInstanceSchema,
  ProjectSchema,
  type TestGate,
} from '../db/entities.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { isUniqueViolation, withVersionCheck } from './db-errors.ts';
import { ensureOrganization } from './organizations.ts';
import { nextFreeSlug, SLUG_MAX, slugify } from './slug.ts';
import { type ProjectView, projectView } from './views.ts';

const POPULATE = ['instanceLinks.instance', 'branchMappings', 'repository'] as const;
export const PROJECT_NAME_MAX = 200;

export const PROJECT_SORTS = ['name', 'createdAt', 'slug'] as const;
export type ProjectSort = (typeof PROJECT_SORTS)[number];

export interface ListProjectsInput {
  includeArchived: boolean;
  limit: number;
  offset: number;
  sort: ProjectSort;
  order: 'asc' | 'desc';
}

export async function listProjects(
  em: EntityManager,
  principal: Principal,
  input: ListProjectsInput,
): Promise<{ projects: ProjectView[]; total: number }> {
  const where = {
    org: principal.orgId,
    ...(input.includeArchived ? {} : { isArchived: false }),
    ...visibleProjects(principal),
  };
  const [items, total] = await em.findAndCount(ProjectSchema, where, {
    populate: POPULATE,
    orderBy: { [input.sort]: input.order, id: 'asc' },
    limit: input.limit,
    offset: input.offset,
  });
  return { projects: items.map(projectView), total };
}

/** Loads a project of the caller's org, or 404: another org's project does not exist for them. */
export async function findProject(em: EntityManager, principal: Principal, id: string): Promise<Project> {
  const project = await em.findOne(ProjectSchema, { id, org: principal.orgId }, { populate: POPULATE });
  if (!project) throw notFound('project');
  return project;
}

export async function getProject(em: EntityManager, principal: Principal, id: string) {
  return projectView(await findProject(em, principal, id));
}

async function takenSlugs(em: EntityManager, orgId: string, base: string): Promise<Set<string>> {
  const rows = await em.find(
    ProjectSchema,
    { org: orgId, slug: { $like: `${base.replace(/[%_]/g, '\\$&')}%` } },
    { fields: ['slug'] },
  );
  return new Set(rows.map((r) => r.slug));
}

/**
 * Inserts a project with a free slug. An explicit slug that is taken is a
 * 409; a generated one gets the next free suffix, retried if a concurrent
 * create takes it first.
 */
async function insertWithSlug(
  em: EntityManager,
  orgId: string,
  explicitSlug: string | undefined,
  name: string,
  build: (tem: EntityManager, slug: string) => Promise<Project>,
): Promise<Project> {
  await ensureOrganization(em, orgId);
  for (let attempt = 0; ; attempt++) {
    const slug = explicitSlug ?? nextFreeSlug(slugify(name), await takenSlugs(em, orgId, slugify(name)));
    try {
      return await em.transactional((tem) => build(tem, slug));
    } catch (error) {
      if (!isUniqueViolation(error)) throw error;
      if (explicitSlug) throw conflict(`slug "${explicitSlug}" is already used in this organization`, 'slug');
      if (attempt >= 4) throw conflict('could not find a free slug; pass one explicitly', 'slug');
    }
  }
}

export interface CreateProjectInput {
  name: string;
  description?: string;
  slug?: string;
}

export async function createProject(
  em: EntityManager,
  principal: Principal,
  input: CreateProjectInput,
): Promise<ProjectView> {
  const created = await insertWithSlug(em, principal.orgId, input.slug, input.name, async (tem, slug) => {
    const project = tem.create(ProjectSchema, {
      org: principal.orgId,
      name: input.name,
      slug,
      description: input.description ?? '',
    });
    await tem.flush();
    return project;
  });
  return getProject(em.fork(), principal, created.id);
}

export interface UpdateProjectInput {
  name?: string;
  description?: string;
  slug?: string;
  testSuiteEnabled?: boolean;
  testGateProduction?: TestGate;
  testGateStaging?: TestGate;
  /** When given, the update applies only if the project is still at this version. */
  version?: number;
}

export async function updateProject(
  em: EntityManager,
  principal: Principal,
  id: string,
  input: UpdateProjectInput,
): Promise<ProjectView> {
  const project = await findProject(em, principal, id);
  if (input.version !== undefined && input.version !== project.version) {
    throw conflict(`project is at version ${project.version}, not ${input.version}; reload it and retry`, 'version');
  }
  if (input.name !== undefined) project.name = input.name;
  if (input.description !== undefined) project.description = input.description;
  if (input.slug !== undefined) project.slug = input.slug;
  if (input.testSuiteEnabled !== undefined) project.testSuiteEnabled = input.testSuiteEnabled;
  if (input.testGateProduction !== undefined) project.testGateProduction = input.testGateProduction;
  if (input.testGateStaging !== undefined) project.testGateStaging = input.testGateStaging;
  await withVersionCheck('project', async () => {
    try {
      await em.flush();
    } catch (error) {
      if (isUniqueViolation(error)) {
        throw conflict(`slug "${input.slug}" is already used in this organization`, 'slug');
      }
      throw error;
    }
  });
  return projectView(project);
}

/** Deletes the project; its mappings and instance links go with it (FK cascade). */
export async function deleteProject(em: EntityManager, principal: Principal, id: string) {
  const deleted = await em.nativeDelete(ProjectSchema, { id, org: principal.orgId });
  if (deleted === 0) throw notFound('project');
}

export async function setArchived(
  em: EntityManager,
  principal: Principal,
  id: string,
  isArchived: boolean,
): Promise<{ message: string }> {
  const project = await findProject(em, principal, id);
  if (project.isArchived !== isArchived) {
    project.isArchived = isArchived;
    await withVersionCheck('project', () => em.flush());
  }
  return { message: isArchived ? 'Project archived' : 'Project unarchived' };
}

/**
 * Copies a project's settings, instance links and branch mappings under a
 * new name and slug. Repository credentials are never copied.
 */
export async function cloneProject(em: EntityManager, principal: Principal, id: string): Promise<ProjectView> {
  const source = await findProject(em, principal, id);
  const name = `${source.name.slice(0, PROJECT_NAME_MAX - ' (copy)'.length)} (copy)`;
  const created = await insertWithSlug(em, principal.orgId, undefined, name, async (tem, slug) => {
    const copy = tem.create(ProjectSchema, {
      org: principal.orgId,
      name,
      slug: slug.slice(0, SLUG_MAX),
      description: source.description,
      testSuiteEnabled: source.testSuiteEnabled,
      testGateProduction: source.testGateProduction,
      testGateStaging: source.testGateStaging,
    });
    for (const link of source.instanceLinks.getItems()) {
      tem.create(ProjectInstanceSchema, { project: copy, instance: link.instance.id });
    }
    for (const mapping of source.branchMappings.getItems()) {
      tem.create(BranchMappingSchema, {
        project: copy,
        branchPattern: mapping.branchPattern,
        instance: mapping.instance.id,
        priority: mapping.priority,
      });
    }
    await tem.flush();
    return copy;
  });
  return getProject(em.fork(), principal, created.id);
}

export async function linkInstance(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  instanceId: string,
): Promise<{ message: string }> {
  const project = await findProject(em, principal, projectId);
  const instance = await em.findOne(InstanceSchema, { id: instanceId, org: principal.orgId });
  if (!instance) throw invalid('instanceId', 'no such instance in this organization');
  if (project.instanceLinks.getItems().some((l) => l.instance.id === instanceId)) {
    return { message: 'Instance already linked to project' };
  }
  em.create(ProjectInstanceSchema, { project, instance });
  try {
    await em.flush();
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
  }
  return { message: 'Instance linked to project' };
}

/** Unlinking also drops the project's branch mappings that target that instance. */
export async function unlinkInstance(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  instanceId: string,
): Promise<{ message: string }> {
  await findProject(em, principal, projectId);
  await em.transactional(async (tem) => {
    const removed = await tem.nativeDelete(ProjectInstanceSchema, {
      project: projectId,
      instance: instanceId,
    });
    if (removed === 0) throw notFound('instance link');
    await tem.nativeDelete(BranchMappingSchema, { project: projectId, instance: instanceId });
  });
  return { message: 'Instance unlinked from project' };
}
