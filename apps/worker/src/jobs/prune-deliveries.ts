import { type Logger, type MikroORM, type PgBoss, pruneDeliveries, QUEUES } from '@ocore/core';

/** Daily: processed webhook deliveries older than the retention period are deleted. */
export async function registerDeliveryPruning(
  boss: PgBoss,
  orm: MikroORM,
  retentionDays: number,
  log: Logger,
): Promise<void> {
  await boss.work(QUEUES.webhookPrune, { pollingIntervalSeconds: 60 }, async () => {
    const deleted = await pruneDeliveries(orm.em.fork(), retentionDays);
    log.info({ deleted, retentionDays }, 'old webhook deliveries pruned');
  });
  if (retentionDays > 0) await boss.schedule(QUEUES.webhookPrune, '17 3 * * *', {}, { tz: 'UTC' });
  else await boss.unschedule(QUEUES.webhookPrune);
}
