import type { EntityManager } from '@mikro-orm/postgresql';
import { fromKysely, PgBoss } from 'pg-boss';
import type { Logger } from './log.ts';

/**
 * Queues are contracts between apps: the webhooks app and the API send,
 * the worker consumes. Names and options live here, once.
 */
export const QUEUES = {
  webhookProcess: 'webhook.process',
  deploymentRun: 'deployment.run',
  repositorySync: 'repository.sync',
  repositorySyncAll: 'repository.sync-all',
  repositoryPoll: 'repository.poll',
  repositoryPollDue: 'repository.poll-due',
  repositoryCleanup: 'repository.cleanup',
  webhookPrune: 'webhook.prune',
  dead: 'dead-letter',
} as const;

export type QueueName = (typeof QUEUES)[keyof typeof QUEUES];

/**
 * A pg-boss instance. `listen` holds one connection for LISTEN/NOTIFY so
 * workers wake the moment a job is created; polling stays as the fallback.
 */
export async function createBoss(databaseUrl: string, log: Logger, max = 4, listen = false): Promise<PgBoss> {
  const boss = new PgBoss({
    connectionString: databaseUrl,
    schema: 'pgboss',
    max,
    useListenNotify: listen,
    // Workers supervise often, so a job whose worker died (no heartbeat) is retried within seconds.
    ...(listen ? { superviseIntervalSeconds: 5, monitorIntervalSeconds: 5 } : {}),
  });
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
  await upsertQueue(boss, QUEUES.webhookProcess, { ...common, expireInSeconds: 300, notify: true });
  // One active deployment per instance (singletonKey = instance id); a dead worker's job is
  // picked up again once its heartbeat stops.
  await upsertQueue(boss, QUEUES.deploymentRun, {
    ...common,
    retryLimit: 3,
    policy: 'singleton',
    heartbeatSeconds: 10,
    expireInSeconds: 3600,
    notify: true,
  });
  // At most one queued and one running sync per repository (singletonKey = repository id).
  await upsertQueue(boss, QUEUES.repositorySync, { ...common, policy: 'stately', expireInSeconds: 300 });
  await upsertQueue(boss, QUEUES.repositorySyncAll, { retryLimit: 1, expireInSeconds: 600 });
  await upsertQueue(boss, QUEUES.repositoryPoll, { ...common, retryLimit: 1, expireInSeconds: 120 });
  await upsertQueue(boss, QUEUES.repositoryPollDue, { retryLimit: 1, expireInSeconds: 60 });
  await upsertQueue(boss, QUEUES.webhookPrune, { retryLimit: 2, expireInSeconds: 3600 });
  // A provider that is down may stay down for hours: retry leftovers for about a day.
  await boss.createQueue(QUEUES.repositoryCleanup, {
    ...common,
    retryLimit: 12,
    retryDelay: 60,
    retryDelayMax: 4 * 3600,
  });
}

type QueueOptions = NonNullable<Parameters<PgBoss['createQueue']>[1]>;

/** createQueue keeps an existing queue's options; apply ours to queues made by older versions too. */
async function upsertQueue(boss: PgBoss, name: string, options: QueueOptions): Promise<void> {
  await boss.createQueue(name, options);
  const { policy: _fixed, ...updatable } = options;
  await boss.updateQueue(name, updatable);
}

/** Enqueues a deployment run inside the caller's transaction. */
export async function enqueueDeployment(boss: PgBoss, em: EntityManager, deploymentId: string, instanceId: string) {
  await boss.send(QUEUES.deploymentRun, { deploymentId }, { singletonKey: instanceId, db: fromKysely(em.getKysely()) });
}

/** Enqueues many deployment runs in one insert, inside the caller's transaction. */
export async function enqueueDeployments(
  boss: PgBoss,
  em: EntityManager,
  runs: Array<{ deploymentId: string; instanceId: string }>,
) {
  if (runs.length === 0) return;
  await boss.insert(
    QUEUES.deploymentRun,
    runs.map((r) => ({ data: { deploymentId: r.deploymentId }, singletonKey: r.instanceId })),
    { db: fromKysely(em.getKysely()) },
  );
}

export { PgBoss };
