// The real webhooks app (verify, store + enqueue in one transaction, 202), as `apps/webhooks` runs it.
import { createBoss, createLogger, createSecretBox, parseKeyRing } from '@ocore/core';
import { buildWebhooksServer } from '@ocore/webhooks';
import pg from 'pg';

const { DATABASE_URL = '', SECRETS_KEYS = '', APP_WEBHOOK_SECRET } = process.env;
const logger = createLogger('webhooks-bench', 'silent');
const pool = new pg.Pool({ connectionString: DATABASE_URL, max: 10 });
const boss = await createBoss(DATABASE_URL, logger, 2);
const app = await buildWebhooksServer({
  receiver: {
    pool,
    boss,
    secrets: createSecretBox(parseKeyRing(SECRETS_KEYS), 'bench'),
    log: logger,
    rejected: new Map(),
    githubAppWebhookSecret: APP_WEBHOOK_SECRET,
  },
  logger,
});
const address = await app.listen({ host: '127.0.0.1', port: 0 });
process.send?.({ port: Number(new URL(address).port) });
process.on('SIGTERM', () => process.exit(0));
