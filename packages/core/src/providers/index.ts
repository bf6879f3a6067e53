import type { ParsedRepoUrl, ProviderName } from '../git/repo-url.ts';
import { createBitbucketProvider } from './bitbucket/adapter.ts';
import { parseBitbucketDelivery } from './bitbucket/parse-webhook.ts';
import type { ParsedDelivery } from './events.ts';
import { createGitHubProvider } from './github/adapter.ts';
import { parseGitHubDelivery } from './github/parse-webhook.ts';
import { createGitLabProvider } from './gitlab/adapter.ts';
import { parseGitLabDelivery } from './gitlab/parse-webhook.ts';
import type { GitProvider, ProviderConnection } from './port.ts';
import { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

export interface ProviderSettings {
  /** API of github.com (GitHub Enterprise hosts use https://<host>/api/v3). */
  githubApiUrl: string;
  /** API host of gitlab.com (self-managed hosts use their own URL). */
  gitlabApiUrl: string;
  bitbucketApiUrl: string;
  retry: RetryPolicy;
}

export const DEFAULT_PROVIDER_SETTINGS: ProviderSettings = {
  githubApiUrl: 'https://api.github.com',
  gitlabApiUrl: 'https://gitlab.com',
  bitbucketApiUrl: 'https://api.bitbucket.org/2.0',
  retry: DEFAULT_RETRY,
};

/** The API base URL for a repository's host: the public service, or a self-managed server. */
export function apiBaseUrlFor(
  parsed: Pick<ParsedRepoUrl, 'provider' | 'host' | 'webScheme' | 'webPort'>,
  settings: ProviderSettings,
): string {
  const origin = `${parsed.webScheme}://${parsed.host}${parsed.webPort ? `:${parsed.webPort}` : ''}`;
  switch (parsed.provider) {
    case 'github':
      return parsed.host === 'github.com' || parsed.host === 'www.github.com'
        ? settings.githubApiUrl
        : `${origin}/api/v3`;
    case 'gitlab':
      return parsed.host === 'gitlab.com' || parsed.host === 'www.gitlab.com' ? settings.gitlabApiUrl : origin;
    case 'bitbucket':
      return settings.bitbucketApiUrl;
  }
}

export type ProviderFactory = (name: ProviderName, connection: ProviderConnection) => GitProvider;

export function createProviderFactory(settings: ProviderSettings = DEFAULT_PROVIDER_SETTINGS): ProviderFactory {
  return (name, connection) => {
    switch (name) {
      case 'github':
        return createGitHubProvider(connection, settings.retry);
      case 'gitlab':
        return createGitLabProvider(connection, settings.retry);
      case 'bitbucket':
        return createBitbucketProvider(connection, settings.retry);
    }
  };
}

export { ProviderError } from './errors.ts';
export * from './events.ts';
export type * from './port.ts';
export { DEFAULT_RETRY, type RetryPolicy } from './retry.ts';

/** A stored delivery → pushes to route, by the provider's own parser. */
export function parseDelivery(provider: ProviderName, event: string, payload: unknown): ParsedDelivery {
  switch (provider) {
    case 'github':
      return parseGitHubDelivery(event, payload);
    case 'gitlab':
      return parseGitLabDelivery(event, payload);
    case 'bitbucket':
      return parseBitbucketDelivery(event, payload);
  }
}
