import { announceReady, createBoss, createLogger, loadConfig, onShutdown, secretBoxFrom } from '@ocore/core';
import pg from 'pg';
import { buildWebhooksServer } from './server.ts';

const config = loadConfig(process.env, ['database', 'secrets']);
const logger = createLogger('webhooks', config.LOG_LEVEL);
const pool = new pg.Pool({ connectionString: config.DATABASE_URL, max: config.DB_POOL_MAX });
pool.on('error', (error) => logger.error({ err: error.message }, 'database pool error'));
const boss = await createBoss(config.DATABASE_URL, logger, 2);
const app = await buildWebhooksServer({
  receiver: {
    pool,
    boss,
    secrets: secretBoxFrom(config),
    log: logger,
    rejected: new Map(),
    gitlabSystemHookToken: config.GITLAB_SYSTEM_HOOK_TOKEN,
    githubAppWebhookSecret: config.GITHUB_APP_WEBHOOK_SECRET,
  },
  logger,
});
const address = await app.listen({ host: config.HOST, port: config.WEBHOOKS_PORT });
logger.info({ address }, 'webhooks listening');
announceReady('webhooks', address);

onShutdown(logger, async () => {
  await app.close();
  await boss.stop({ graceful: true });
  await pool.end();
});
