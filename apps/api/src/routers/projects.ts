import {
  cloneProject,
  createProject,
  deleteProjectAndRepository,
  getProject,
  listProjects,
  setArchived,
  updateProject,
} from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import {
  Description,
  ListProjectsQuery,
  Message,
  Name,
  Project,
  ProjectList,
  Slug,
  strictBoolean,
  TestGate,
  Uuid,
  Version,
} from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['projects'];
const ById = z.strictObject({ id: Uuid });

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects',
  summary: 'List organization projects',
  description: 'Archived projects are excluded unless include_archived=true. `total` counts every match.',
  tags,
  input: ListProjectsQuery,
  output: ProjectList,
  run: ({ em, principal }, input) =>
    listProjects(em, principal, {
      includeArchived: input.include_archived ?? false,
      limit: input.limit ?? 100,
      offset: input.offset ?? 0,
      sort: input.sort ?? 'name',
      order: input.order ?? 'asc',
    }),
});

const create = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects',
  summary: 'Create a new project',
  audit: 'project.created',
  description: 'The slug is generated from the name when omitted; an explicit slug that is taken is a 409.',
  tags,
  status: 201,
  input: z.strictObject({ name: Name, description: Description.optional(), slug: Slug.optional() }),
  output: Project,
  run: ({ em, principal }, input) => createProject(em, principal, input),
});

const get = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}',
  summary: 'Get project details',
  tags,
  input: ById,
  output: Project,
  run: ({ em, principal }, input) => getProject(em, principal, input.id),
});

const update = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}',
  audit: 'project.updated',
  summary: 'Update a project',
  description: 'Pass `version` to update only if nobody changed the project since you read it (409 otherwise).',
  tags,
  input: z.strictObject({
    id: Uuid,
    name: Name.optional(),
    description: Description.optional(),
    slug: Slug.optional(),
    testSuiteEnabled: strictBoolean().optional(),
    testGateProduction: TestGate.optional(),
    testGateStaging: TestGate.optional(),
    version: Version.optional(),
  }),
  output: Project,
  run: ({ em, principal }, { id, ...patch }) => updateProject(em, principal, id, patch),
});

const remove = projectRoute({
  permission: 'manage:projects',
  method: 'DELETE',
  path: '/projects/{id}',
  audit: 'project.deleted',
  need: 'own',
  summary: 'Delete a project',
  description:
    'Removes the project with its branch mappings and instance links, after removing its repository webhook and deploy key on the provider (failures there are reported in the X-OCore-Warnings header and retried later).',
  tags,
  status: 204,
  input: ById,
  output: z.void(),
  run: async (ctx, input) => {
    const { warnings } = await deleteProjectAndRepository(ctx.em, ctx.principal, input.id, ctx.repositories);
    if (warnings.length) ctx.response.headers = { 'x-ocore-warnings': JSON.stringify(warnings) };
  },
});

const archive = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/archive',
  audit: 'project.archived',
  summary: 'Archive a project',
  tags,
  input: ById,
  output: Message,
  run: ({ em, principal }, input) => setArchived(em, principal, input.id, true),
});

const unarchive = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/unarchive',
  audit: 'project.unarchived',
  summary: 'Unarchive a project',
  tags,
  input: ById,
  output: Message,
  run: ({ em, principal }, input) => setArchived(em, principal, input.id, false),
});

const clone = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/clone',
  audit: 'project.cloned',
  summary: 'Clone a project',
  description:
    'Copies description, test settings, instance links and branch mappings as "<name> (copy)". Never copies repository credentials.',
  tags,
  status: 201,
  input: ById,
  output: Project,
  run: ({ em, principal }, input) => cloneProject(em, principal, input.id),
});

export const projectsRouter = router({
  list: list.plain,
  listInOrg: list.inOrg,
  create: create.plain,
  createInOrg: create.inOrg,
  get: get.plain,
  getInOrg: get.inOrg,
  update: update.plain,
  updateInOrg: update.inOrg,
  delete: remove.plain,
  deleteInOrg: remove.inOrg,
  archive: archive.plain,
  archiveInOrg: archive.inOrg,
  unarchive: unarchive.plain,
  unarchiveInOrg: unarchive.inOrg,
  clone: clone.plain,
  cloneInOrg: clone.inOrg,
});
