import { randomBytes } from 'node:crypto';
import { type AppRouter, buildApiServer } from '@ocore/api';
import { createLogger, createTokenVerifier, type MikroORM, mintToken, PERMISSIONS, type Permission } from '@ocore/core';
import { createMigratedDatabase } from '@ocore/core/testing';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';

export interface TestApi {
  url: string;
  orm: MikroORM;
  databaseUrl: string;
  secret: string;
  token(options?: {
    org?: string;
    permissions?: readonly Permission[];
    sub?: string;
    expiresIn?: string;
  }): Promise<string>;
  /** fetch against the API with JSON in and out. */
  call(
    method: string,
    path: string,
    options?: { token?: string; body?: unknown; headers?: Record<string, string> },
  ): Promise<{ status: number; body: any }>;
  trpc(token: string): ReturnType<typeof createTRPCClient<AppRouter>>;
  close(): Promise<void>;
}

/** Boots the real API server on a free port against a fresh, migrated database. */
export async function startTestApi(): Promise<TestApi> {
  const { orm, databaseUrl } = await createMigratedDatabase(inject('pgServerUrl'));
  const secret = randomBytes(32).toString('hex');
  const app: FastifyInstance = await buildApiServer({
    orm,
    verifyToken: createTokenVerifier({ secret }),
    logger: createLogger('api-test', 'silent'),
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    orm,
    databaseUrl,
    secret,
    token: (options = {}) =>
      mintToken({
        secret,
        sub: options.sub ?? 'user-1',
        org: options.org ?? 'acme',
        permissions: options.permissions ?? PERMISSIONS,
        expiresIn: options.expiresIn,
      }),
    async call(method, path, options = {}) {
      const headers: Record<string, string> = { ...options.headers };
      if (options.token) headers.authorization = `Bearer ${options.token}`;
      let body: string | undefined;
      if (options.body !== undefined) {
        body = typeof options.body === 'string' ? options.body : JSON.stringify(options.body);
        headers['content-type'] ??= 'application/json';
      }
      const response = await fetch(`${url}${path}`, { method, headers, body });
      const text = await response.text();
      let parsed: unknown = text;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {}
      return { status: response.status, body: parsed };
    },
    trpc: (token) =>
      createTRPCClient<AppRouter>({
        links: [httpBatchLink({ url: `${url}/trpc`, headers: () => ({ authorization: `Bearer ${token}` }) })],
      }),
    async close() {
      await app.close();
      await orm.close();
    },
  };
}
