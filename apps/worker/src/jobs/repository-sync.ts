import {
  type Logger,
  type MikroORM,
  type PgBoss,
  QUEUES,
  type RepositoryDeps,
  scheduleAllSyncs,
  syncRepository,
} from '@ocore/core';

/** Every connected repository is synced on this schedule, the syncs spread over the interval. */
export const SYNC_INTERVAL_SECONDS = 15 * 60;

export async function registerRepositorySync(
  boss: PgBoss,
  orm: MikroORM,
  deps: RepositoryDeps,
  log: Logger,
): Promise<void> {
  await boss.work<{ repositoryId: string }>(
    QUEUES.repositorySync,
    { pollingIntervalSeconds: 2, localConcurrency: 2 },
    async ([job]) => {
      if (!job) return;
      const outcome = await syncRepository(orm.em.fork(), job.data.repositoryId, deps);
      log.info({ repositoryId: job.data.repositoryId, ...outcome }, 'repository synced');
    },
  );
  await boss.work(QUEUES.repositorySyncAll, { pollingIntervalSeconds: 30 }, async () => {
    const count = await scheduleAllSyncs(orm.em.fork(), boss, SYNC_INTERVAL_SECONDS);
    log.info({ count }, 'repository syncs scheduled');
  });
  await boss.schedule(QUEUES.repositorySyncAll, '*/15 * * * *', {}, { tz: 'UTC' });
}
