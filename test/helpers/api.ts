import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { type AppRouter, buildApiServer } from '@ocore/api';
import {
  createBoss,
  createLogger,
  createProviderFactory,
  createSecretBox,
  createTokenVerifier,
  DEFAULT_PROVIDER_SETTINGS,
  type GithubApp,
  generateKeySpec,
  installationTokens,
  type MikroORM,
  mintToken,
  PERMISSIONS,
  type Permission,
  type PgBoss,
  type ProviderSettings,
  parseKeyRing,
  type RepositoryDeps,
} from '@ocore/core';
import { createMigratedDatabase } from '@ocore/core/testing';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import type { FastifyInstance } from 'fastify';
import { inject } from 'vitest';

export interface TestApiOptions {
  providers?: Partial<ProviderSettings>;
  webhookBaseUrl?: string;
  /** Where mirrors and releases go (default: a fresh temporary directory). */
  dataDir?: string;
  /** pg-boss with LISTEN/NOTIFY, for tests that run the worker in-process. */
  listen?: boolean;
  githubApp?: GithubApp;
}

export interface TestApi {
  url: string;
  orm: MikroORM;
  boss: PgBoss;
  dataDir: string;
  /** SECRETS_KEYS for processes that must read what this API sealed. */
  secretsKeys: string;
  repositories: RepositoryDeps;
  /** Every log line the API wrote (JSON). */
  logs: string[];
  databaseUrl: string;
  /** Runs SQL on the test database (to set up or inspect what the API cannot). */
  sql<T>(text: string): Promise<T[]>;
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
export async function startTestApi(options: TestApiOptions = {}): Promise<TestApi> {
  const { orm, databaseUrl } = await createMigratedDatabase(inject('pgServerUrl'));
  const secret = randomBytes(32).toString('hex');
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logs.push(String(chunk));
      done();
    },
  });
  const logger = createLogger('api-test', 'debug', sink);
  const boss = await createBoss(databaseUrl, logger, 4, options.listen ?? false);
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), 'ocore-data-'));
  const secretsKeys = generateKeySpec('test');
  const providerSettings: ProviderSettings = {
    ...DEFAULT_PROVIDER_SETTINGS,
    retry: { retries: 2, baseDelayMs: 5, maxDelayMs: 2_000 },
    ...options.providers,
  };
  const repositories: RepositoryDeps = {
    boss,
    dataDir,
    providers: createProviderFactory(providerSettings),
    providerSettings,
    secrets: createSecretBox(parseKeyRing(secretsKeys), 'test'),
    webhookBaseUrl: options.webhookBaseUrl ?? 'https://hooks.ocore.test',
    githubApp: options.githubApp,
    installationToken: options.githubApp ? installationTokens(options.githubApp, orm) : undefined,
    log: logger,
    scheduleCleanup: async (cleanup) => {
      await boss.send('repository.cleanup', cleanup);
    },
  };
  const app: FastifyInstance = await buildApiServer({
    orm,
    verifyToken: createTokenVerifier({ secret }),
    repositories,
    logger,
  });
  const url = await app.listen({ host: '127.0.0.1', port: 0 });
  return {
    url,
    orm,
    boss,
    dataDir,
    secretsKeys,
    repositories,
    logs,
    databaseUrl,
    secret,
    sql: (text) => orm.em.fork().execute(text),
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
      await boss.stop({ graceful: false });
      await orm.close();
    },
  };
}
