import { ProviderError } from '../errors.ts';
import type { AccessReport, GitProvider, ProviderCapabilities, ProviderConnection, RepoRef } from '../port.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../retry.ts';
import { createBitbucketClient } from './client.ts';
import {
  type BitbucketHookJson,
  type BitbucketRepoJson,
  STATE,
  toDeployKey,
  toRepository,
  toWebhook,
} from './convert.ts';

export const BITBUCKET_CAPABILITIES: ProviderCapabilities = {
  webhooks: true,
  deployKeys: true,
  commitStatuses: true,
  checkRuns: false,
  githubApp: false,
  nestedNamespaces: false,
};

const enc = encodeURIComponent;
const isNotFound = (error: unknown) => error instanceof ProviderError && error.status === 404;

export function createBitbucketProvider(
  connection: ProviderConnection,
  retry: RetryPolicy = DEFAULT_RETRY,
): GitProvider {
  const client = createBitbucketClient(connection);
  const call = <T>(run: () => Promise<T>) => withRetry(run, retry);
  const path = (ref: RepoRef) => `/repositories/${enc(ref.owner)}/${enc(ref.name)}`;

  const readRepository = async (ref: RepoRef) => {
    if (ref.providerRepoId) {
      try {
        // `{}` as the workspace looks a repository up by its UUID alone, wherever it moved.
        return await call(() =>
          client.request<BitbucketRepoJson>('GET', `/repositories/%7B%7D/${enc(ref.providerRepoId ?? '')}`),
        );
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return call(() => client.request<BitbucketRepoJson>('GET', path(ref)));
  };

  const hookBody = (url: string, secret: string) => ({
    description: 'oCore deployments',
    url,
    active: true,
    secret,
    events: ['repo:push', 'repo:updated'],
  });

  return {
    name: 'bitbucket',
    capabilities: BITBUCKET_CAPABILITIES,
    getRepository: async (ref) => toRepository((await readRepository(ref)).data),
    async listBranches(ref) {
      const items = await call(() =>
        client.all<{ name: string; target: { hash: string } }>(`${path(ref)}/refs/branches`),
      );
      return items.map((b) => ({ name: b.name, sha: b.target.hash }));
    },
    // No conditional requests for branch listings here: polling uses `git ls-remote` instead.
    pollBranches: async () => ({ supported: false }),
    async listTags(ref) {
      const items = await call(() => client.all<{ name: string; target: { hash: string } }>(`${path(ref)}/refs/tags`));
      return items.map((t) => ({ name: t.name, sha: t.target.hash }));
    },
    async createWebhook(ref, spec) {
      const { data } = await call(() =>
        client.request<BitbucketHookJson>('POST', `${path(ref)}/hooks`, hookBody(spec.url, spec.secret)),
      );
      return toWebhook(data);
    },
    async getWebhook(ref, id) {
      try {
        const { data } = await call(() => client.request<BitbucketHookJson>('GET', `${path(ref)}/hooks/${enc(id)}`));
        return toWebhook(data);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async updateWebhook(ref, id, spec) {
      const { data } = await call(() =>
        client.request<BitbucketHookJson>('PUT', `${path(ref)}/hooks/${enc(id)}`, hookBody(spec.url, spec.secret)),
      );
      return toWebhook(data);
    },
    async deleteWebhook(ref, id) {
      try {
        await call(() => client.request('DELETE', `${path(ref)}/hooks/${enc(id)}`));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async addDeployKey(ref, title, publicKey) {
      const { data } = await call(() =>
        client.request<{ id: number; key: string }>('POST', `${path(ref)}/deploy-keys`, {
          key: publicKey,
          label: title,
        }),
      );
      return toDeployKey(data);
    },
    async getDeployKey(ref, id) {
      try {
        const { data } = await call(() =>
          client.request<{ id: number; key: string }>('GET', `${path(ref)}/deploy-keys/${enc(id)}`),
        );
        return toDeployKey(data);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async removeDeployKey(ref, id) {
      try {
        await call(() => client.request('DELETE', `${path(ref)}/deploy-keys/${enc(id)}`));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async validateAccess(ref): Promise<AccessReport> {
      const { headers } = await readRepository(ref);
      const header = headers.get('x-oauth-scopes');
      const scopes = header === null ? null : header.split(/[\s,]+/).filter(Boolean);
      const missing: string[] = [];
      if (scopes) {
        if (!scopes.some((s) => s.startsWith('repository'))) missing.push('repository');
        if (!scopes.includes('repository:admin') && !scopes.includes('admin:repository:bitbucket'))
          missing.push('repository:admin');
        if (!scopes.includes('webhook') && !scopes.includes('write:webhook:bitbucket')) missing.push('webhook');
      }
      return { scopes, missing, canAdminister: scopes ? !missing.includes('repository:admin') : null };
    },
    async setCommitStatus(ref, sha, status) {
      await call(() =>
        client.request('POST', `${path(ref)}/commit/${enc(sha)}/statuses/build`, {
          key: status.context.slice(0, 40),
          state: STATE[status.state] ?? 'FAILED',
          name: status.context,
          url: status.targetUrl ?? 'https://ocore.dev',
          description: status.description.slice(0, 255),
          ...(status.ref ? { refname: status.ref } : {}),
        }),
      );
    },
  };
}
