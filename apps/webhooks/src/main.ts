import { announceReady, createBoss, createLogger, createOrm, loadConfig, onShutdown } from '@ocore/core';
import { buildWebhooksServer } from './server.ts';

const config = loadConfig(process.env, ['database']);
const logger = createLogger('webhooks', config.LOG_LEVEL);
const orm = await createOrm(config.DATABASE_URL, config.DB_POOL_MAX);
const boss = await createBoss(config.DATABASE_URL, logger);
const app = await buildWebhooksServer({ orm, boss, logger });
const address = await app.listen({ host: config.HOST, port: config.WEBHOOKS_PORT });
logger.info({ address }, 'webhooks listening');
announceReady('webhooks', address);

onShutdown(logger, async () => {
  await app.close();
  await boss.stop({ graceful: true });
  await orm.close();
});
