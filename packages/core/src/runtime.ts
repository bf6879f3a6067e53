import type { Config } from './config.ts';
import type { MikroORM } from './db/orm.ts';
import { GithubApp } from './github-app/app.ts';
import type { PgBoss } from './jobs.ts';
import { QUEUES } from './jobs.ts';
import type { Logger } from './log.ts';
import { createProviderFactory, type ProviderSettings } from './providers/index.ts';
import { createSecretBox, parseKeyRing, type SecretBox } from './secrets/secret-box.ts';
import { pickInstallation } from './services/github-installations.ts';
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

/** The GitHub App, when GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_WEBHOOK_SECRET and GITHUB_APP_SLUG are set. */
export function githubAppFrom(config: Config): GithubApp | undefined {
  const { GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, GITHUB_APP_WEBHOOK_SECRET, GITHUB_APP_SLUG } = config;
  if (!GITHUB_APP_ID || !GITHUB_APP_PRIVATE_KEY || !GITHUB_APP_WEBHOOK_SECRET || !GITHUB_APP_SLUG) return undefined;
  return new GithubApp({
    appId: GITHUB_APP_ID,
    privateKey: GITHUB_APP_PRIVATE_KEY,
    webhookSecret: GITHUB_APP_WEBHOOK_SECRET,
    slug: GITHUB_APP_SLUG,
    clientId: config.GITHUB_APP_CLIENT_ID,
    clientSecret: config.GITHUB_APP_CLIENT_SECRET,
    apiBaseUrl: config.GITHUB_API_URL,
    webBaseUrl: config.GITHUB_WEB_URL,
  });
}

/** Installation tokens routed by repository owner (see pickInstallation). */
export function installationTokens(app: GithubApp, orm: MikroORM) {
  return async (orgId: string, owner: string) =>
    app.installationToken(await pickInstallation(orm.em.fork(), orgId, owner));
}

/** Everything the repository services need, wired from the validated configuration. */
export function repositoryDepsFrom(config: Config, boss: PgBoss, log: Logger, orm?: MikroORM): RepositoryDeps {
  const providerSettings = providerSettingsFrom(config);
  const githubApp = githubAppFrom(config);
  return {
    boss,
    dataDir: config.DATA_DIR,
    providers: createProviderFactory(providerSettings),
    providerSettings,
    secrets: secretBoxFrom(config),
    webhookBaseUrl: webhookBaseUrlFrom(config),
    githubApp,
    installationToken: githubApp && orm ? installationTokens(githubApp, orm) : undefined,
    log,
    scheduleCleanup: async (cleanup: RemoteCleanup) => {
      await boss.send(QUEUES.repositoryCleanup, cleanup);
    },
  };
}
