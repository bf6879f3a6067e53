import { type Logger, type MikroORM, type PgBoss, QUEUES, routeDelivery } from '@ocore/core';

/** Routes each stored push delivery to deployments (idempotent per delivery). */
export async function registerDeliveryProcessing(boss: PgBoss, orm: MikroORM, log: Logger): Promise<void> {
  await boss.work<{ deliveryId: string }>(
    QUEUES.webhookProcess,
    { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 5, batchSize: 5 },
    async (jobs) => {
      for (const job of jobs) {
        await routeDelivery(orm.em.fork(), boss, job.data.deliveryId);
        log.debug({ deliveryId: job.data.deliveryId }, 'delivery routed');
      }
    },
  );
}
