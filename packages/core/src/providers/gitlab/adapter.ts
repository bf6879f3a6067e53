import { GitbeakerRequestError, GitbeakerRetryError, Gitlab } from '@gitbeaker/rest';
import { ProviderError, retryAfterFrom } from '../errors.ts';
import type { AccessReport, GitProvider, ProviderCapabilities, ProviderConnection, RepoRef } from '../port.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../retry.ts';
import {
  type GitLabHookJson,
  type GitLabProjectJson,
  MAINTAINER,
  STATE,
  toDeployKey,
  toRepository,
  toWebhook,
} from './convert.ts';

export const GITLAB_CAPABILITIES: ProviderCapabilities = {
  webhooks: true,
  deployKeys: true,
  commitStatuses: true,
  checkRuns: false,
  githubApp: false,
  nestedNamespaces: true,
};

function toProviderError(error: unknown): never {
  if (error instanceof GitbeakerRequestError) {
    const cause = error.cause as { description?: string; response?: Response } | undefined;
    const status = cause?.response?.status ?? 0;
    throw new ProviderError(
      status,
      cause?.description ?? error.message,
      retryAfterFrom(status, cause?.response?.headers),
    );
  }
  if (error instanceof GitbeakerRetryError) {
    const status = Number(/last status code: (\d+)/.exec(error.message)?.[1] ?? 0);
    throw new ProviderError(status, error.message);
  }
  if (error instanceof ProviderError) throw error;
  throw new ProviderError(0, (error as Error).message ?? String(error));
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.status === 404;

export function createGitLabProvider(connection: ProviderConnection, retry: RetryPolicy = DEFAULT_RETRY): GitProvider {
  const api = new Gitlab({
    host: connection.apiBaseUrl.replace(/\/+$/, ''),
    ...(connection.token ? { token: connection.token } : { token: '' }),
    queryTimeout: 30_000,
  });
  const call = <T>(run: () => Promise<T>) => withRetry(() => run().catch(toProviderError), retry);
  /** Numeric id when known (survives renames and transfers), else the full path. */
  const pid = (ref: RepoRef): string | number =>
    ref.providerRepoId ? Number(ref.providerRepoId) : `${ref.owner}/${ref.name}`;

  const readProject = async (ref: RepoRef): Promise<GitLabProjectJson> => {
    if (ref.providerRepoId) {
      try {
        return (await call(() => api.Projects.show(Number(ref.providerRepoId)))) as unknown as GitLabProjectJson;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return (await call(() => api.Projects.show(`${ref.owner}/${ref.name}`))) as unknown as GitLabProjectJson;
  };

  const hookOptions = (secret: string) => ({
    pushEvents: true,
    tagPushEvents: true,
    token: secret,
    enableSslVerification: true,
  });

  return {
    name: 'gitlab',
    capabilities: GITLAB_CAPABILITIES,
    getRepository: async (ref) => toRepository(await readProject(ref)),
    async listBranches(ref) {
      const branches = (await call(() => api.Branches.all(pid(ref), { perPage: 100 }))) as unknown as Array<{
        name: string;
        commit: { id: string };
        protected?: boolean;
      }>;
      return branches.map((b) => ({ name: b.name, sha: b.commit.id, protected: Boolean(b.protected) }));
    },
    // No conditional requests for branch listings here: polling uses `git ls-remote` instead.
    pollBranches: async () => ({ supported: false }),
    async listTags(ref) {
      const tags = (await call(() => api.Tags.all(pid(ref), { perPage: 100 }))) as unknown as Array<{
        name: string;
        commit: { id: string };
        protected?: boolean;
      }>;
      return tags.map((t) => ({ name: t.name, sha: t.commit.id }));
    },
    async createWebhook(ref, spec) {
      const hook = await call(() => api.ProjectHooks.add(pid(ref), spec.url, hookOptions(spec.secret)));
      return toWebhook(hook as unknown as GitLabHookJson);
    },
    async getWebhook(ref, id) {
      try {
        return toWebhook((await call(() => api.ProjectHooks.show(pid(ref), Number(id)))) as unknown as GitLabHookJson);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async updateWebhook(ref, id, spec) {
      const hook = await call(() => api.ProjectHooks.edit(pid(ref), Number(id), spec.url, hookOptions(spec.secret)));
      return toWebhook(hook as unknown as GitLabHookJson);
    },
    async deleteWebhook(ref, id) {
      try {
        await call(() => api.ProjectHooks.remove(pid(ref), Number(id)));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async addDeployKey(ref, title, publicKey) {
      const key = await call(() => api.DeployKeys.create(pid(ref), title, publicKey, { canPush: false }));
      return toDeployKey(key as unknown as { id: number; key: string; can_push?: boolean });
    },
    async getDeployKey(ref, id) {
      try {
        const key = await call(() => api.DeployKeys.show(pid(ref), Number(id)));
        return toDeployKey(key as unknown as { id: number; key: string; can_push?: boolean });
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async removeDeployKey(ref, id) {
      try {
        await call(() => api.DeployKeys.remove(pid(ref), Number(id)));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async validateAccess(ref): Promise<AccessReport> {
      const project = await readProject(ref);
      let scopes: string[] | null = null;
      try {
        const self = (await call(() => api.PersonalAccessTokens.show())) as unknown as { scopes?: string[] };
        scopes = self.scopes ?? null;
      } catch (error) {
        // Older GitLab versions and some token kinds cannot describe themselves.
        if (!(error instanceof ProviderError) || ![401, 403, 404].includes(error.status)) throw error;
      }
      const missing: string[] = [];
      if (scopes && !scopes.includes('api')) missing.push('api');
      const level = Math.max(
        project.permissions?.project_access?.access_level ?? 0,
        project.permissions?.group_access?.access_level ?? 0,
      );
      const canAdminister = project.permissions ? level >= MAINTAINER : null;
      if (canAdminister === false) missing.push('Maintainer role on the project (webhooks and deploy keys)');
      return { scopes, missing, canAdminister };
    },
    async setCommitStatus(ref, sha, status) {
      await call(() =>
        api.Commits.editStatus(pid(ref), sha, STATE[status.state] ?? 'failed', {
          name: status.context,
          description: status.description.slice(0, 255),
          targetUrl: status.targetUrl,
          ref: status.ref,
        }),
      );
    },
  };
}
