import { buildWebhooksServer } from '@ocore/webhooks';
import { registerDeliveryProcessing, registerDeploymentRuns, registerRepositorySync } from '@ocore/worker';
import type { FastifyInstance } from 'fastify';
import pg from 'pg';
import { startTestApi, type TestApi, type TestApiOptions } from './api.ts';

/** The GitLab system hook token the test stack's receiver accepts. */
export const SYSTEM_HOOK_TOKEN = 'gitlab-system-hook-token-for-tests';

export interface TestStack extends TestApi {
  webhooksUrl: string;
  rejected: Map<string, number>;
  /** POSTs a delivery to the webhooks app. */
  deliver(
    provider: string,
    projectId: string,
    body: string,
    headers: Record<string, string>,
  ): Promise<{ status: number; body: any }>;
  /** Polls the API until the predicate holds (or throws after the timeout). */
  waitFor<T>(read: () => Promise<T>, done: (value: T) => boolean, timeoutMs?: number): Promise<T>;
}

/** API, webhooks receiver and worker consumers against one fresh database, all real. */
export async function startTestStack(options: TestApiOptions & { worker?: boolean } = {}): Promise<TestStack> {
  const api = await startTestApi({ ...options, listen: true });
  const pool = new pg.Pool({ connectionString: api.databaseUrl, max: 8 });
  const rejected = new Map<string, number>();
  const webhooks: FastifyInstance = await buildWebhooksServer({
    receiver: {
      pool,
      boss: api.boss,
      secrets: api.repositories.secrets,
      log: api.repositories.log,
      rejected,
      gitlabSystemHookToken: SYSTEM_HOOK_TOKEN,
      githubAppWebhookSecret: options.githubApp?.settings.webhookSecret,
    },
    logger: api.repositories.log,
  });
  const webhooksUrl = await webhooks.listen({ host: '127.0.0.1', port: 0 });
  if (options.worker !== false) {
    await registerDeliveryProcessing(api.boss, api.orm, api.repositories.log);
    await registerRepositorySync(api.boss, api.orm, api.repositories, api.repositories.log);
    await registerDeploymentRuns(
      api.boss,
      api.orm,
      {
        secrets: api.repositories.secrets,
        providers: api.repositories.providers,
        dataDir: api.dataDir,
        publicApiUrl: api.url,
        log: api.repositories.log,
        installationToken: api.repositories.installationToken,
      },
      api.repositories.log,
    );
  }
  return {
    ...api,
    webhooksUrl,
    rejected,
    async deliver(provider, projectId, body, headers) {
      const response = await fetch(`${webhooksUrl}/api/webhooks/${provider}/${projectId}`, {
        method: 'POST',
        headers,
        body,
      });
      const text = await response.text();
      return { status: response.status, body: text ? JSON.parse(text) : undefined };
    },
    async waitFor(read, done, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        const value = await read();
        if (done(value)) return value;
        if (Date.now() > deadline)
          throw new Error(`timed out waiting; last value: ${JSON.stringify(value).slice(0, 2000)}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async close() {
      await webhooks.close();
      await api.close();
      await pool.end();
    },
  };
}
