import { getNotificationSettings, listNotifications, setNotificationSettings } from '@ocore/core';
import { z } from 'zod';
import { route } from '../routes.ts';
import { HttpUrl, PageQuery } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['notifications'];
const Settings = z.object({ url: z.string().nullable(), hasSecret: z.boolean() }).meta({ id: 'NotificationSettings' });

export const notificationsRouter = router({
  getSettings: route({
    permission: 'manage:org_settings',
    method: 'GET',
    path: '/settings/notifications',
    summary: 'Get deployment notification settings',
    tags,
    input: z.strictObject({}),
    output: Settings,
    run: (ctx) => getNotificationSettings(ctx.em, ctx.principal),
  }),
  setSettings: route({
    permission: 'manage:org_settings',
    method: 'PUT',
    path: '/settings/notifications',
    summary: 'Set deployment notification settings',
    description:
      'deployment.started/succeeded/failed events are POSTed as JSON to url, with X-OCore-Event and X-OCore-Signature-256: sha256=<HMAC-SHA256 of the body with secret>.',
    tags,
    input: z.strictObject({ url: HttpUrl.nullable(), secret: z.string().min(16).max(256).nullable().optional() }),
    output: Settings,
    run: (ctx, input) => setNotificationSettings(ctx.em, ctx.principal, input, ctx.repositories.secrets),
  }),
  list: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/notifications',
    summary: 'List deployment notifications',
    tags,
    input: z.strictObject({ ...PageQuery }),
    output: z
      .object({
        notifications: z.array(
          z.object({
            id: z.string(),
            event: z.string(),
            deploymentId: z.string(),
            payload: z.record(z.string(), z.unknown()),
            createdAt: z.string(),
            deliveredAt: z.string().nullable(),
            responseStatus: z.number().int().nullable(),
            error: z.string().nullable(),
          }),
        ),
        total: z.number().int(),
      })
      .meta({ id: 'NotificationList' }),
    run: (ctx, input) =>
      listNotifications(ctx.em, ctx.principal, { limit: input.limit ?? 50, offset: input.offset ?? 0 }),
  }),
});
