import { DomainError } from '../errors.ts';
import { PROVIDER_LABELS, type ProviderName } from '../git/repo-url.ts';
import { ProviderError } from '../providers/errors.ts';

export type RemoteStep =
  | 'read repository'
  | 'add deploy key'
  | 'remove deploy key'
  | 'create webhook'
  | 'update webhook'
  | 'delete webhook'
  | 'list branches'
  | 'list tags'
  | 'check access'
  | 'set commit status';

/** What a token needs for each step, per provider: said in the error so users can fix the token. */
const NEEDS: Record<ProviderName, Partial<Record<RemoteStep, string>>> = {
  github: {
    'read repository': 'the repo scope (or read access to this repository)',
    'add deploy key': 'admin rights on the repository (repo scope, or Administration: write)',
    'remove deploy key': 'admin rights on the repository (repo scope, or Administration: write)',
    'create webhook': 'the admin:repo_hook scope (or repo, or Webhooks: write)',
    'update webhook': 'the admin:repo_hook scope (or repo, or Webhooks: write)',
    'delete webhook': 'the admin:repo_hook scope (or repo, or Webhooks: write)',
    'set commit status': 'the repo:status scope (or Commit statuses: write)',
  },
  gitlab: {
    'read repository': 'the read_api or api scope',
    'add deploy key': 'the api scope and the Maintainer role',
    'remove deploy key': 'the api scope and the Maintainer role',
    'create webhook': 'the api scope and the Maintainer role',
    'update webhook': 'the api scope and the Maintainer role',
    'delete webhook': 'the api scope and the Maintainer role',
    'set commit status': 'the api scope and the Developer role',
  },
  bitbucket: {
    'read repository': 'the repository scope',
    'add deploy key': 'the repository:admin scope',
    'remove deploy key': 'the repository:admin scope',
    'create webhook': 'the webhook scope',
    'update webhook': 'the webhook scope',
    'delete webhook': 'the webhook scope',
    'set commit status': 'the repository:write scope',
  },
};

/**
 * Turns a provider failure into the error a user can act on: names the
 * step, carries the provider's own message, and says what is missing.
 */
export function providerFailure(provider: ProviderName, step: RemoteStep, error: unknown): DomainError {
  if (!(error instanceof ProviderError))
    return error instanceof DomainError
      ? error
      : new DomainError('PROVIDER_FAILED', `${step} failed: ${String(error)}`);
  const who = PROVIDER_LABELS[provider];
  const said = `${who} answered ${error.status || 'nothing'}${error.message ? `: "${error.message}"` : ''}`;
  const needs = NEEDS[provider][step];
  if (error.status === 401) {
    return new DomainError(
      'INVALID',
      `${step} failed: ${who} rejected the access token (expired, revoked or mistyped). ${said}`,
      'accessToken',
      `${who} rejected the access token: ${error.message}`,
    );
  }
  if (error.status === 403) {
    return new DomainError(
      'FORBIDDEN',
      `${step} failed: the access token lacks permission${needs ? `; it needs ${needs}` : ''}. ${said}`,
    );
  }
  if (error.status === 404) {
    const detail =
      step === 'read repository'
        ? 'repository not found or not accessible with these credentials'
        : `repository not found or not accessible with these credentials${needs ? ` (the token needs ${needs})` : ''}`;
    return new DomainError('INVALID', `${step} failed: ${detail}. ${said}`, 'repoUrl', detail);
  }
  if (error.status === 422 || error.status === 400) {
    return new DomainError('INVALID', `${step} failed: ${who} refused the request. ${said}`, 'repoUrl', error.message);
  }
  return new DomainError(
    'PROVIDER_FAILED',
    `${step} failed: ${who} is unavailable or rate-limited; try again later. ${said}`,
  );
}
