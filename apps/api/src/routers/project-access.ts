import { ACCESS_LEVELS, listAccess, moveProject, replaceAccessRules, upsertAccessRule } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { OrgId, Project, strictBoolean, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['project-access'];
const Rule = z.strictObject({
  teamId: Uuid.optional(),
  userId: z.string().min(1).max(255).optional(),
  level: z.enum(ACCESS_LEVELS).nullable(),
});
const Access = z
  .object({
    isRestricted: z.boolean(),
    rules: z.array(
      z.object({
        id: z.string(),
        teamId: z.string().nullable(),
        userId: z.string().nullable(),
        level: z.enum(ACCESS_LEVELS),
      }),
    ),
  })
  .meta({ id: 'ProjectAccess' });

const get = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/access',
  summary: "List a project's access rules",
  description:
    'A restricted project is visible only to org owners and admins and to principals with a rule. READER views; WRITER also manages (update, repository, mappings, deploy); OWNER also deletes, moves and manages the rules.',
  tags,
  input: z.strictObject({ id: Uuid }),
  output: Access,
  run: (ctx, input) => listAccess(ctx.em, ctx.principal, input.id),
});

const upsert = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/access',
  summary: 'Set one access rule',
  description: '`{teamId | userId, level}`; a null level removes the rule.',
  tags,
  need: 'own',
  audit: 'access.updated',
  input: z.strictObject({
    id: Uuid,
    teamId: Uuid.optional(),
    userId: z.string().min(1).max(255).optional(),
    level: z.enum(ACCESS_LEVELS).nullable(),
  }),
  output: Access,
  run: (ctx, { id, ...rule }) => upsertAccessRule(ctx.em, ctx.principal, id, rule),
});

const bulk = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/access/bulk',
  summary: 'Replace all access rules',
  description: 'Replaces every rule; `isRestricted` turns the restriction on or off.',
  tags,
  need: 'own',
  audit: 'access.replaced',
  input: z.strictObject({ id: Uuid, isRestricted: strictBoolean().optional(), rules: z.array(Rule).max(500) }),
  output: Access,
  run: (ctx, { id, ...input }) => replaceAccessRules(ctx.em, ctx.principal, id, input),
});

const move = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/move',
  summary: 'Move a project to another organization',
  description:
    'Needs manage:projects in both organizations. The repository connection, cfg and history move; instance links and branch mappings are dropped (instances belong to the old organization), and so are team rules.',
  tags,
  need: 'own',
  audit: 'project.moved',
  input: z.strictObject({ id: Uuid, orgId: OrgId }),
  output: Project,
  run: (ctx, input) => moveProject(ctx.em, ctx.principal, input.id, input.orgId),
});

export const projectAccessRouter = router({
  get: get.plain,
  getInOrg: get.inOrg,
  upsert: upsert.plain,
  upsertInOrg: upsert.inOrg,
  bulk: bulk.plain,
  bulkInOrg: bulk.inOrg,
  move: move.plain,
  moveInOrg: move.inOrg,
});
