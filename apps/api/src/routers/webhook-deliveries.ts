import { DELIVERY_STATUSES, getDelivery, listDeliveries, redeliver, webhookHealth } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { PageQuery, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['webhook-deliveries'];

const Delivery = z
  .object({
    id: z.string(),
    provider: z.string(),
    deliveryId: z.string(),
    event: z.string(),
    ref: z.string().nullable(),
    status: z.string(),
    reason: z.string().nullable(),
    receivedAt: z.string(),
    processedAt: z.string().nullable(),
    deployments: z.array(
      z.object({ id: z.string(), instanceId: z.string(), commitSha: z.string(), status: z.string() }),
    ),
  })
  .meta({ id: 'WebhookDelivery' });

const DeliveryDetail = Delivery.extend({
  headers: z.record(z.string(), z.string()),
  payload: z.unknown(),
}).meta({ id: 'WebhookDeliveryDetail' });

const ByDelivery = z.strictObject({ id: Uuid, deliveryId: Uuid });

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/webhook-deliveries',
  summary: 'List webhook deliveries',
  description:
    'Every verified delivery, newest first: accepted (deployed), ignored (with the reason) or failed, with the deployments it created.',
  tags,
  input: z.strictObject({ id: Uuid, ...PageQuery, status: z.enum(DELIVERY_STATUSES).optional() }),
  output: z.object({ deliveries: z.array(Delivery), total: z.number().int() }).meta({ id: 'WebhookDeliveryList' }),
  run: (ctx, input) =>
    listDeliveries(ctx.em, ctx.principal, input.id, {
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
      status: input.status,
    }),
});

const get = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/webhook-deliveries/{deliveryId}',
  summary: 'Get a webhook delivery',
  description: 'With its headers (signatures and tokens removed) and payload.',
  tags,
  input: ByDelivery,
  output: DeliveryDetail,
  run: (ctx, input) => getDelivery(ctx.em, ctx.principal, input.id, input.deliveryId),
});

const again = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/webhook-deliveries/{deliveryId}/redeliver',
  audit: 'webhook_delivery.redelivered',
  summary: 'Redeliver a webhook delivery',
  description:
    'Runs the stored delivery through routing again (e.g. after fixing a branch mapping). A commit already deployed to an instance is not deployed twice.',
  tags,
  input: ByDelivery,
  output: DeliveryDetail,
  run: (ctx, input) => redeliver(ctx.em, ctx.principal, input.id, input.deliveryId, ctx.repositories.boss),
});

const health = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/repository/health',
  summary: 'Webhook health',
  description:
    'Last delivery, signature failures in the last 24 hours and the last failure reason: enough to diagnose "pushes do not deploy".',
  tags,
  input: z.strictObject({ id: Uuid }),
  output: z
    .object({
      webhookUrl: z.string().nullable(),
      lastDeliveryAt: z.string().nullable(),
      lastAcceptedAt: z.string().nullable(),
      recentSignatureFailures: z.number().int(),
      lastFailureAt: z.string().nullable(),
      lastFailureReason: z.string().nullable(),
      deliveriesLast24h: z.record(z.string(), z.number().int()),
    })
    .meta({ id: 'WebhookHealth' }),
  run: (ctx, input) => webhookHealth(ctx.em, ctx.principal, input.id),
});

export const webhookDeliveriesRouter = router({
  list: list.plain,
  listInOrg: list.inOrg,
  get: get.plain,
  getInOrg: get.inOrg,
  redeliver: again.plain,
  redeliverInOrg: again.inOrg,
  health: health.plain,
  healthInOrg: health.inOrg,
});
