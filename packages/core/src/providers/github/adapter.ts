import { Octokit, RequestError } from 'octokit';
import { ProviderError, retryAfterFrom } from '../errors.ts';
import type {
  AccessReport,
  BranchPoll,
  CheckRun,
  CommitStatus,
  GitProvider,
  ProviderCapabilities,
  ProviderConnection,
  RemoteRef,
  RepoRef,
  WebhookSpec,
} from '../port.ts';
import { DEFAULT_RETRY, type RetryPolicy, withRetry } from '../retry.ts';
import { type GitHubRepoJson, STATE, toDeployKey, toRepository, toWebhook } from './convert.ts';

export const GITHUB_CAPABILITIES: ProviderCapabilities = {
  webhooks: true,
  deployKeys: true,
  commitStatuses: true,
  checkRuns: false,
  githubApp: true,
  nestedNamespaces: false,
};

function toProviderError(error: unknown): never {
  if (error instanceof RequestError) {
    const data = error.response?.data as { message?: string } | undefined;
    const headers = error.response?.headers as Record<string, string | undefined> | undefined;
    throw new ProviderError(error.status, data?.message ?? error.message, retryAfterFrom(error.status, headers));
  }
  if (error instanceof ProviderError) throw error;
  throw new ProviderError(0, (error as Error).message ?? String(error));
}

const isNotFound = (error: unknown) => error instanceof ProviderError && error.status === 404;

export function createGitHubProvider(connection: ProviderConnection, retry: RetryPolicy = DEFAULT_RETRY): GitProvider {
  const octokit = new Octokit({
    auth: connection.token,
    baseUrl: connection.apiBaseUrl.replace(/\/+$/, ''),
    userAgent: 'ocore-projects',
    // Retries and rate limits are handled by withRetry, the same way for every provider.
    retry: { enabled: false },
    throttle: { enabled: false },
  });
  // GitHub serves application/json; GitHub's OpenAPI description (and so Prism) declares only that.
  octokit.hook.before('request', (options) => {
    options.headers.accept = 'application/json';
  });
  const call = <T>(run: () => Promise<T>) => withRetry(() => run().catch(toProviderError), retry);
  const repo = (ref: RepoRef) => ({ owner: ref.owner, repo: ref.name });

  const readRepository = async (ref: RepoRef) => {
    if (ref.providerRepoId) {
      try {
        const res = await call(() =>
          octokit.request('GET /repositories/{repository_id}', { repository_id: Number(ref.providerRepoId) }),
        );
        return res;
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    }
    return call(() => octokit.rest.repos.get(repo(ref)));
  };

  const listRefs = async (kind: 'branches' | 'tags', ref: RepoRef): Promise<RemoteRef[]> => {
    const route = kind === 'branches' ? octokit.rest.repos.listBranches : octokit.rest.repos.listTags;
    const items = await call(() => octokit.paginate(route, { ...repo(ref), per_page: 100 }));
    return items.map((item) => ({
      name: item.name,
      sha: item.commit.sha,
      ...('protected' in item ? { protected: Boolean(item.protected) } : {}),
    }));
  };

  /** Lists branch pages with If-None-Match; any page that changed means a full, fresh listing. */
  const pollBranches = async (ref: RepoRef, etags: string[]): Promise<BranchPoll> => {
    let requests = 0;
    if (etags.length > 0) {
      let unchanged = true;
      for (const [i, etag] of etags.entries()) {
        requests += 1;
        try {
          await call(() =>
            octokit.rest.repos.listBranches({
              ...repo(ref),
              per_page: 100,
              page: i + 1,
              headers: { 'if-none-match': etag },
            }),
          );
          unchanged = false;
          break;
        } catch (error) {
          if (!(error instanceof ProviderError && error.status === 304)) throw error;
        }
      }
      if (unchanged) return { supported: true, notModified: true, requests };
    }
    const refs: RemoteRef[] = [];
    const fresh: string[] = [];
    for (let page = 1; page <= 100; page++) {
      requests += 1;
      const res = await call(() => octokit.rest.repos.listBranches({ ...repo(ref), per_page: 100, page }));
      fresh.push(String(res.headers.etag ?? ''));
      refs.push(...res.data.map((b) => ({ name: b.name, sha: b.commit.sha, protected: Boolean(b.protected) })));
      if (!String(res.headers.link ?? '').includes('rel="next"')) break;
    }
    return { supported: true, notModified: false, refs, etags: fresh, requests };
  };

  const hookBody = (spec: WebhookSpec) => ({
    active: true,
    // `repository` events (renamed, transferred, archived, deleted) keep the connection current at once.
    events: ['push', 'repository'],
    config: { url: spec.url, content_type: 'json' as const, secret: spec.secret, insecure_ssl: '0' as const },
  });

  return {
    name: 'github',
    capabilities: GITHUB_CAPABILITIES,
    async getRepository(ref) {
      const res = await readRepository(ref);
      return toRepository(res.data as GitHubRepoJson);
    },
    listBranches: (ref) => listRefs('branches', ref),
    pollBranches,
    listTags: (ref) => listRefs('tags', ref),
    async createWebhook(ref, spec) {
      const res = await call(() => octokit.rest.repos.createWebhook({ ...repo(ref), name: 'web', ...hookBody(spec) }));
      return toWebhook(res.data);
    },
    async getWebhook(ref, id) {
      try {
        const res = await call(() => octokit.rest.repos.getWebhook({ ...repo(ref), hook_id: Number(id) }));
        return toWebhook(res.data);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async updateWebhook(ref, id, spec) {
      const res = await call(() =>
        octokit.rest.repos.updateWebhook({ ...repo(ref), hook_id: Number(id), ...hookBody(spec) }),
      );
      return toWebhook(res.data);
    },
    async deleteWebhook(ref, id) {
      try {
        await call(() => octokit.rest.repos.deleteWebhook({ ...repo(ref), hook_id: Number(id) }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async addDeployKey(ref, title, publicKey) {
      const res = await call(() =>
        octokit.rest.repos.createDeployKey({ ...repo(ref), title, key: publicKey, read_only: true }),
      );
      return toDeployKey(res.data);
    },
    async getDeployKey(ref, id) {
      try {
        const res = await call(() => octokit.rest.repos.getDeployKey({ ...repo(ref), key_id: Number(id) }));
        return toDeployKey(res.data);
      } catch (error) {
        if (isNotFound(error)) return null;
        throw error;
      }
    },
    async removeDeployKey(ref, id) {
      try {
        await call(() => octokit.rest.repos.deleteDeployKey({ ...repo(ref), key_id: Number(id) }));
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    },
    async validateAccess(ref): Promise<AccessReport> {
      const res = await readRepository(ref);
      const data = res.data as GitHubRepoJson;
      // Classic tokens list their scopes; fine-grained tokens and app tokens do not.
      const header = (res.headers as Record<string, string | undefined>)['x-oauth-scopes'];
      const scopes =
        header === undefined
          ? null
          : header
              .split(',')
              .map((s) => s.trim())
              .filter(Boolean);
      const missing: string[] = [];
      if (scopes) {
        const has = (s: string) => scopes.includes(s);
        if (!has('repo') && !(has('public_repo') && !data.private)) missing.push(data.private ? 'repo' : 'public_repo');
        if (!has('repo') && !has('admin:repo_hook') && !has('write:repo_hook')) missing.push('admin:repo_hook');
      }
      const canAdminister = data.permissions ? Boolean(data.permissions.admin) : null;
      if (canAdminister === false) missing.push('admin access to the repository (webhooks and deploy keys)');
      return { scopes, missing, canAdminister };
    },
    async setCheckRun(ref, sha, run: CheckRun, id?: string) {
      const body = {
        ...repo(ref),
        name: run.name,
        status: run.status,
        ...(run.conclusion ? { conclusion: run.conclusion } : {}),
        ...(run.detailsUrl ? { details_url: run.detailsUrl } : {}),
        ...(run.externalId ? { external_id: run.externalId } : {}),
        ...(run.summary ? { output: { title: run.name, summary: run.summary } } : {}),
      };
      const res = id
        ? await call(() => octokit.rest.checks.update({ ...body, check_run_id: Number(id) }))
        : await call(() => octokit.rest.checks.create({ ...body, head_sha: sha }));
      return String(res.data.id);
    },
    async setCommitStatus(ref, sha, status: CommitStatus) {
      await call(() =>
        octokit.rest.repos.createCommitStatus({
          ...repo(ref),
          sha,
          state: STATE[status.state] ?? 'error',
          context: status.context,
          description: status.description.slice(0, 140),
          target_url: status.targetUrl,
        }),
      );
    },
  };
}
