import type { Logger, MikroORM, PgBoss } from '@ocore/core';
import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';

export interface WorkerOptions {
  orm: MikroORM;
  boss: PgBoss;
  logger: Logger;
}

/** Health endpoints of the worker; readiness means database and queue are reachable. */
export async function buildWorkerHealthServer(options: WorkerOptions): Promise<FastifyInstance> {
  const app = Fastify({ loggerInstance: options.logger as FastifyBaseLogger });
  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.orm.em.fork().execute('select 1');
      await options.boss.getQueues();
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database or queue unreachable' });
    }
  });
  return app;
}
