import { PgBoss } from 'pg-boss';
import type { Logger } from './log.ts';

/**
 * Queues are contracts between apps: the webhooks app and the API send,
 * the worker consumes. Names and options live here, once.
 */
export const QUEUES = {
  webhookProcess: 'webhook.process',
  deploymentRun: 'deployment.run',
  repositorySync: 'repository.sync',
  repositoryPoll: 'repository.poll',
  repositoryCleanup: 'repository.cleanup',
  dead: 'dead-letter',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

export async function createBoss(databaseUrl: string, log: Logger, max = 4): Promise<PgBoss> {
  const boss = new PgBoss({ connectionString: databaseUrl, schema: 'pgboss', max });
  boss.on('error', (error) => log.error({ err: error }, 'pg-boss error'));
  await boss.start();
  await ensureQueues(boss);
  return boss;
}

/** Creates every queue (idempotent); the dead-letter queue first, since others name it. */
export async function ensureQueues(boss: PgBoss): Promise<void> {
  await boss.createQueue(QUEUES.dead, { retentionSeconds: 14 * 86400 });
  const common = {
    retryLimit: 5,
    retryDelay: 2,
    retryBackoff: true,
    retryDelayMax: 300,
    deadLetter: QUEUES.dead,
  };
  await boss.createQueue(QUEUES.webhookProcess, { ...common, expireInSeconds: 300 });
  await boss.createQueue(QUEUES.deploymentRun, { ...common, expireInSeconds: 3600 });
  await boss.createQueue(QUEUES.repositorySync, { ...common, expireInSeconds: 300 });
  await boss.createQueue(QUEUES.repositoryPoll, { ...common, retryLimit: 1, expireInSeconds: 120 });
  // A provider that is down may stay down for hours: retry leftovers for about a day.
  await boss.createQueue(QUEUES.repositoryCleanup, {
    ...common,
    retryLimit: 12,
    retryDelay: 60,
    retryDelayMax: 4 * 3600,
  });
}

export { PgBoss };
