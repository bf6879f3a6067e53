import type { Logger, MikroORM, RepositoryDeps, TokenVerifier } from '@ocore/core';
import scalar from '@scalar/fastify-api-reference';
import { fastifyTRPCPlugin } from '@trpc/server/adapters/fastify';
import Fastify, { type FastifyBaseLogger, type FastifyError, type FastifyInstance } from 'fastify';
import { fastifyTRPCOpenApiPlugin } from 'trpc-to-openapi';
import { buildOpenApiDocument } from './openapi.ts';
import { appRouter } from './root.ts';
import { type Context, createContextFactory } from './trpc.ts';

export interface ApiServerOptions {
  orm: MikroORM;
  verifyToken: TokenVerifier;
  repositories: RepositoryDeps;
  logger: Logger;
  /** Public base URL of the API, used in the OpenAPI document's server entry. */
  publicUrl?: string;
}

const BODY_LIMIT = 1024 * 1024;

/** Fastify's own errors (bad JSON, media type, size) in the API's error envelope. */
function envelopeForFastifyError(error: FastifyError): { status: number; code: string; message: string } {
  const status = error.statusCode && error.statusCode >= 400 ? error.statusCode : 500;
  if (status === 413) return { status, code: 'PAYLOAD_TOO_LARGE', message: `request body exceeds ${BODY_LIMIT} bytes` };
  if (status === 415) return { status, code: 'UNSUPPORTED_MEDIA_TYPE', message: 'send the body as application/json' };
  if (error.code === 'FST_ERR_CTP_INVALID_JSON_BODY' || error instanceof SyntaxError) {
    return { status: 400, code: 'PARSE_ERROR', message: `malformed JSON body: ${error.message}` };
  }
  if (status < 500) return { status, code: 'BAD_REQUEST', message: error.message };
  return { status: 500, code: 'INTERNAL_SERVER_ERROR', message: 'Internal server error' };
}

export async function buildApiServer(options: ApiServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    loggerInstance: options.logger as FastifyBaseLogger,
    bodyLimit: BODY_LIMIT,
    routerOptions: { maxParamLength: 5000 },
  });
  const createContext = createContextFactory({
    orm: options.orm,
    verifyToken: options.verifyToken,
    repositories: options.repositories,
  });

  app.setErrorHandler((error: FastifyError, request, reply) => {
    const envelope = envelopeForFastifyError(error);
    if (envelope.status >= 500) request.log.error({ err: error }, 'request failed');
    void reply.status(envelope.status).send({ code: envelope.code, message: envelope.message });
  });
  app.setNotFoundHandler((request, reply) => {
    void reply
      .status(404)
      .send({ code: 'NOT_FOUND', message: `no route for ${request.method} ${request.url.split('?')[0]}` });
  });

  app.get('/healthz', async () => ({ status: 'ok' }));
  app.get('/readyz', async (_request, reply) => {
    try {
      await options.orm.em.fork().execute('select 1');
      return { status: 'ready' };
    } catch {
      return reply.status(503).send({ status: 'unavailable', reason: 'database unreachable' });
    }
  });

  await app.register(fastifyTRPCPlugin, {
    prefix: '/trpc',
    trpcOptions: {
      router: appRouter,
      createContext: ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) =>
        createContext({ req }),
      onError: ({ error, path }: { error: { code: string }; path?: string }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') options.logger.error({ err: error, path }, 'tRPC call failed');
      },
    },
  });

  const document = buildOpenApiDocument(`${options.publicUrl ?? ''}/api`);
  app.get('/api/openapi.json', async () => document);
  await app.register(scalar, {
    routePrefix: '/api/docs',
    configuration: { content: document, title: 'oCore Projects API' },
  });

  await app.register(async (rest) => {
    // Bodyless POST/PUT (e.g. `curl -X PUT …/archive`) are fine: treat them as `{}`.
    rest.addHook('preHandler', async (request) => {
      if (request.method === 'GET' || request.method === 'DELETE') return;
      if (request.body === undefined && !request.headers['content-type']) {
        request.raw.headers['content-type'] = 'application/json';
        request.body = {};
      }
    });
    // One error envelope for REST: {code, message, issues?}.
    rest.addHook('onSend', async (_request, reply, payload) => {
      if (reply.statusCode < 400 || typeof payload !== 'string') return payload;
      try {
        const body = JSON.parse(payload) as {
          code?: string;
          message?: string;
          data?: { issues?: unknown; code?: string };
        };
        if (!body.data) return payload;
        const message =
          body.code === 'INTERNAL_SERVER_ERROR'
            ? 'Internal server error'
            : body.code === 'UNSUPPORTED_MEDIA_TYPE'
              ? 'send the body as application/json'
              : body.message;
        const issues = body.data.issues;
        return JSON.stringify({
          code: body.code,
          message: issues ? formatMessage(body, issues) : message,
          ...(issues ? { issues } : {}),
        });
      } catch {
        return payload;
      }
    });
    await rest.register(fastifyTRPCOpenApiPlugin, {
      basePath: '/api',
      router: appRouter,
      createContext: ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }) =>
        createContext({ req }),
      responseMeta: ({ ctx, errors }: { ctx?: Context; errors: unknown[] }) => ({
        ...(errors.length === 0 && ctx?.response.status ? { status: ctx.response.status } : {}),
        ...(ctx?.response.headers ? { headers: ctx.response.headers } : {}),
      }),
      onError: ({ error, path }: { error: { code: string }; path?: string }) => {
        if (error.code === 'INTERNAL_SERVER_ERROR') options.logger.error({ err: error, path }, 'REST call failed');
      },
    });
  });
  return app;
}

function formatMessage(body: { message?: string }, issues: unknown): string {
  if (!Array.isArray(issues) || body.message !== 'Input validation failed') return body.message ?? 'Bad request';
  const parts = issues.map((i: { path?: string; message?: string }) => `${i.path}: ${i.message}`);
  return `Invalid input: ${parts.join('; ')}`;
}
