import { listAudit, listOrgAudit } from '@ocore/core';
import { z } from 'zod';
import { projectRoute, route } from '../routes.ts';
import { PageQuery, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const AuditEventList = z
  .object({
    events: z.array(
      z.object({
        id: z.string(),
        projectId: z.string(),
        action: z.string(),
        actor: z.string(),
        details: z.record(z.string(), z.unknown()),
        createdAt: z.string(),
      }),
    ),
    total: z.number().int(),
  })
  .meta({ id: 'AuditEventList' });

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/audit',
  summary: "List a project's audit events",
  description:
    'Who created, changed, deleted, connected or deployed what, and when; newest first. Secrets are never recorded.',
  tags: ['projects'],
  input: z.strictObject({ id: Uuid, ...PageQuery }),
  output: AuditEventList,
  run: (ctx, input) =>
    listAudit(ctx.em, ctx.principal, input.id, { limit: input.limit ?? 50, offset: input.offset ?? 0 }),
});

const orgList = route({
  permission: 'manage:org_settings',
  method: 'GET',
  path: '/org/audit',
  summary: "List the organization's audit events",
  description:
    "Every project's events, deleted projects included (a project's own audit route is gone with it), newest first. Filter by projectId, action (e.g. project.deleted) or actor.",
  tags: ['organization'],
  input: z.strictObject({
    ...PageQuery,
    projectId: Uuid.optional(),
    action: z.string().min(1).max(100).optional(),
    actor: z.string().min(1).max(255).optional(),
  }),
  output: AuditEventList,
  run: (ctx, input) =>
    listOrgAudit(ctx.em, ctx.principal, {
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
      projectId: input.projectId,
      action: input.action,
      actor: input.actor,
    }),
});

export const auditRouter = router({ list: list.plain, listInOrg: list.inOrg, listOrg: orgList });
