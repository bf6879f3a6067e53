import {
  announceReady,
  createBoss,
  createLogger,
  createOrm,
  loadConfig,
  onShutdown,
  repositoryDepsFrom,
} from '@ocore/core';
import { registerRepositoryCleanup } from './jobs/repository-cleanup.ts';
import { buildWorkerHealthServer } from './worker.ts';

const config = loadConfig(process.env, ['database', 'secrets']);
const logger = createLogger('worker', config.LOG_LEVEL);
const orm = await createOrm(config.DATABASE_URL, config.DB_POOL_MAX);
const boss = await createBoss(config.DATABASE_URL, logger);
const repositories = repositoryDepsFrom(config, boss, logger);
await registerRepositoryCleanup(boss, repositories, logger);
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
