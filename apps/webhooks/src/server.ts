import type { Logger, MikroORM, PgBoss } from '@ocore/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface WebhooksServerOptions {
  orm: MikroORM;
  boss: PgBoss;
  logger: Logger;
}

/** The public receiver of provider webhooks. */
export async function buildWebhooksServer(options: WebhooksServerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger, bodyLimit: 25 * 1024 * 1024 });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.orm.em.fork().execute('select 1');
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });
  return app;
}
