import { type DeployDeps, type Logger, type MikroORM, type PgBoss, QUEUES, runDeployment } from '@ocore/core';

/** Runs deployments; pg-boss keeps at most one active per instance (singleton key). */
export async function registerDeploymentRuns(
  boss: PgBoss,
  orm: MikroORM,
  deps: DeployDeps,
  log: Logger,
  concurrency = 2,
): Promise<void> {
  let workerId = '';
  workerId = await boss.work<{ deploymentId: string }>(
    QUEUES.deploymentRun,
    { pollingIntervalSeconds: 1, notifyPollingIntervalSeconds: 5, localConcurrency: concurrency },
    async ([job]) => {
      if (!job) return;
      try {
        const status = await runDeployment(orm, job.data.deploymentId, deps);
        log.info({ deploymentId: job.data.deploymentId, status }, 'deployment finished');
      } finally {
        // The instance is free again: fetch its next queued deployment now, not at the next poll.
        setImmediate(() => boss.notifyWorker(workerId));
      }
    },
  );
}
