import {
  announceReady,
  createBoss,
  createLogger,
  createOrm,
  loadConfig,
  onShutdown,
  repositoryDepsFrom,
} from '@ocore/core';
import { registerDeliveryProcessing } from './jobs/process-delivery.ts';
import { registerDeliveryPruning } from './jobs/prune-deliveries.ts';
import { registerRepositoryCleanup } from './jobs/repository-cleanup.ts';
import { registerRepositoryPolling } from './jobs/repository-poll.ts';
import { registerRepositorySync } from './jobs/repository-sync.ts';
import { registerDeploymentRuns } from './jobs/run-deployment.ts';
import { buildWorkerHealthServer } from './worker.ts';

const config = loadConfig(process.env, ['database', 'secrets']);
const logger = createLogger('worker', config.LOG_LEVEL);
const orm = await createOrm(config.DATABASE_URL, config.DB_POOL_MAX);
// LISTEN/NOTIFY wakes the workers the moment a job is created; polling stays as the fallback.
const boss = await createBoss(config.DATABASE_URL, logger, 6, true);
const repositories = repositoryDepsFrom(config, boss, logger, orm);
await registerRepositoryCleanup(boss, repositories, logger);
await registerDeliveryProcessing(boss, orm, logger);
await registerDeliveryPruning(boss, orm, config.WEBHOOK_DELIVERY_RETENTION_DAYS, logger);
await registerRepositorySync(boss, orm, repositories, logger);
await registerRepositoryPolling(boss, orm, repositories, logger);
await registerDeploymentRuns(
  boss,
  orm,
  {
    secrets: repositories.secrets,
    providers: repositories.providers,
    dataDir: config.DATA_DIR,
    publicApiUrl: config.PUBLIC_API_URL ?? `http://127.0.0.1:${config.API_PORT}`,
    installationToken: repositories.installationToken,
    log: logger,
  },
  logger,
);
const health = await buildWorkerHealthServer({ orm, boss, logger });
const address = await health.listen({ host: config.HOST, port: config.WORKER_PORT });
logger.info({ address }, 'worker listening');
announceReady('worker', address);

onShutdown(logger, async () => {
  // Running jobs finish or are handed back before the process exits.
  await boss.stop({ graceful: true, timeout: 25_000 });
  await health.close();
  await orm.close();
});
