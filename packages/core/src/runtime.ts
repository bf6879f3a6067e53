import type { Config } from './config.ts';
import type { PgBoss } from './jobs.ts';
import { QUEUES } from './jobs.ts';
import type { Logger } from './log.ts';
import { createProviderFactory, type ProviderSettings } from './providers/index.ts';
import { createSecretBox, parseKeyRing, type SecretBox } from './secrets/secret-box.ts';
import type { RemoteCleanup, RepositoryDeps } from './services/repositories.ts';

export function providerSettingsFrom(config: Config): ProviderSettings {
  return {
    githubApiUrl: config.GITHUB_API_URL,
    gitlabApiUrl: config.GITLAB_API_URL,
    bitbucketApiUrl: config.BITBUCKET_API_URL,
    retry: { retries: config.PROVIDER_RETRIES, baseDelayMs: config.PROVIDER_RETRY_BASE_MS, maxDelayMs: 30_000 },
  };
}

export function secretBoxFrom(config: Config): SecretBox {
  const ring = parseKeyRing(config.SECRETS_KEYS ?? '');
  return createSecretBox(ring, config.SECRETS_ACTIVE_KEY ?? [...ring.keys()].at(-1) ?? '');
}

export function webhookBaseUrlFrom(config: Config): string {
  return (
    config.PUBLIC_WEBHOOKS_URL ??
    `http://${config.HOST === '0.0.0.0' ? '127.0.0.1' : config.HOST}:${config.WEBHOOKS_PORT}`
  );
}

/** Everything the repository services need, wired from the validated configuration. */
export function repositoryDepsFrom(config: Config, boss: PgBoss, log: Logger): RepositoryDeps {
  const providerSettings = providerSettingsFrom(config);
  return {
    boss,
    dataDir: config.DATA_DIR,
    providers: createProviderFactory(providerSettings),
    providerSettings,
    secrets: secretBoxFrom(config),
    webhookBaseUrl: webhookBaseUrlFrom(config),
    log,
    scheduleCleanup: async (cleanup: RemoteCleanup) => {
      await boss.send(QUEUES.repositoryCleanup, cleanup);
    },
  };
}
