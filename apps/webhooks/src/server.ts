import { DatabaseUnavailable, type Logger, type ReceiverDeps, receiveDelivery } from '@ocore/core';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance, type FastifyRequest } from 'fastify';

export interface WebhooksServerOptions {
  receiver: ReceiverDeps;
  logger: Logger;
}

/** GitHub caps payloads at 25 MB; anything larger is not a real delivery. */
export const MAX_BODY = 25 * 1024 * 1024;

/** The public receiver of provider webhooks: verify, store + enqueue, then acknowledge. */
export async function buildWebhooksServer(options: WebhooksServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: MAX_BODY,
  });
  // Signatures cover the exact bytes: keep every body as raw bytes, whatever its type.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('*', { parseAs: 'buffer', bodyLimit: MAX_BODY }, (_req, body, done) => done(null, body));

  app.setErrorHandler((error: FastifyError, request, reply) => {
    if (error.statusCode === 413) {
      return reply
        .status(413)
        .send({ code: 'PAYLOAD_TOO_LARGE', message: `deliveries are limited to ${MAX_BODY} bytes` });
    }
    if (error instanceof DatabaseUnavailable) {
      request.log.error({ err: error.message }, 'delivery not stored: database unavailable');
      return reply.status(503).header('retry-after', '5').send({ code: 'UNAVAILABLE', message: 'try again later' });
    }
    if (error.statusCode && error.statusCode < 500) {
      return reply.status(error.statusCode).send({ code: 'BAD_REQUEST', message: error.message });
    }
    request.log.error({ err: error }, 'delivery failed');
    return reply.status(500).send({ code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.receiver.pool.query('select 1');
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  const receive = (provider: string, projectId: string, request: FastifyRequest) =>
    receiveDelivery(options.receiver, {
      provider,
      projectId,
      headers: request.headers,
      rawBody: Buffer.isBuffer(request.body) ? request.body : '',
    });
  // Per-request access logs would cost more than the delivery itself; outcomes are logged instead.
  const quiet = { logLevel: 'warn' as const };
  // The GitHub App's webhook names no project: its pushes fan out to every connected project.
  app.post('/api/webhooks/github', quiet, async (request, reply) => {
    const result = await receive('github', 'app', request);
    return reply.status(result.status).send(result.body);
  });
  app.post<{ Params: { provider: string; projectId: string } }>(
    '/api/webhooks/:provider/:projectId',
    quiet,
    async (request, reply) => {
      const result = await receive(request.params.provider, request.params.projectId, request);
      return reply.status(result.status).send(result.body);
    },
  );
  return app;
}
