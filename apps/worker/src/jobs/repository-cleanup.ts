import {
  type Logger,
  type PgBoss,
  QUEUES,
  type RemoteCleanup,
  type RepositoryDeps,
  runRemoteCleanup,
} from '@ocore/core';

/** Removes webhooks and deploy keys a disconnect could not remove while the provider was down. */
export async function registerRepositoryCleanup(boss: PgBoss, deps: RepositoryDeps, log: Logger): Promise<void> {
  await boss.work<RemoteCleanup>(QUEUES.repositoryCleanup, { pollingIntervalSeconds: 5 }, async (jobs) => {
    for (const job of jobs) {
      await runRemoteCleanup(job.data, deps);
      log.info({ jobId: job.id, repo: `${job.data.ref.owner}/${job.data.ref.name}` }, 'remote leftovers removed');
    }
  });
}
