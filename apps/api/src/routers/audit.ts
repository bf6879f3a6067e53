import { listAudit } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { PageQuery, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/audit',
  summary: "List a project's audit events",
  description:
    'Who created, changed, deleted, connected or deployed what, and when; newest first. Secrets are never recorded.',
  tags: ['projects'],
  input: z.strictObject({ id: Uuid, ...PageQuery }),
  output: z
    .object({
      events: z.array(
        z.object({
          id: z.string(),
          action: z.string(),
          actor: z.string(),
          details: z.record(z.string(), z.unknown()),
          createdAt: z.string(),
        }),
      ),
      total: z.number().int(),
    })
    .meta({ id: 'AuditEventList' }),
  run: (ctx, input) =>
    listAudit(ctx.em, ctx.principal, input.id, { limit: input.limit ?? 50, offset: input.offset ?? 0 }),
});

export const auditRouter = router({ list: list.plain, listInOrg: list.inOrg });
