import {
  type Logger,
  type MikroORM,
  type PgBoss,
  pollRepository,
  QUEUES,
  type RepositoryDeps,
  schedulePolls,
} from '@ocore/core';

/** Polls repositories whose webhooks cannot reach oCore; new heads deploy like pushes. */
export async function registerRepositoryPolling(
  boss: PgBoss,
  orm: MikroORM,
  deps: RepositoryDeps,
  log: Logger,
): Promise<void> {
  await boss.work<{ repositoryId: string }>(
    QUEUES.repositoryPoll,
    { pollingIntervalSeconds: 1, localConcurrency: 4 },
    async ([job]) => {
      if (!job) return;
      const outcome = await pollRepository(orm.em.fork(), boss, job.data.repositoryId, deps);
      if (outcome?.changedBranches.length)
        log.info({ repositoryId: job.data.repositoryId, ...outcome }, 'poll found new heads');
    },
  );
  await boss.work(QUEUES.repositoryPollDue, { pollingIntervalSeconds: 5 }, async () => {
    await schedulePolls(orm.em.fork(), boss);
  });
  await boss.schedule(QUEUES.repositoryPollDue, '* * * * *', {}, { tz: 'UTC' });
}
