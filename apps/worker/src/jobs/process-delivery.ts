import { type Logger, type MikroORM, type PgBoss, QUEUES, routeDelivery } from '@ocore/core';

/** A job names one delivery (a redelivery) or every delivery one ingest transaction stored. */
type DeliveryJob = { deliveryId: string } | { deliveryIds: string[] };

/** Routes each stored push delivery to deployments (idempotent per delivery). */
export async function registerDeliveryProcessing(boss: PgBoss, orm: MikroORM, log: Logger): Promise<void> {
  await boss.work<DeliveryJob>(
    QUEUES.webhookProcess,
    { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 5, batchSize: 5 },
    async (jobs) => {
      for (const job of jobs) {
        const ids = 'deliveryIds' in job.data ? job.data.deliveryIds : [job.data.deliveryId];
        for (const id of ids) await routeDelivery(orm.em.fork(), boss, id);
        log.debug({ deliveries: ids.length }, 'deliveries routed');
      }
    },
  );
}
