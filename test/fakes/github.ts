import { createHash } from 'node:crypto';
import { type FakeRequest, HttpFake, pageOf } from './http-fake.ts';

export interface FakeRepo {
  id: number;
  owner: string;
  name: string;
  private: boolean;
  defaultBranch: string;
  archived: boolean;
  branches: Array<{ name: string; sha: string; protected?: boolean }>;
  tags: Array<{ name: string; sha: string }>;
  hooks: Map<
    number,
    { id: number; active: boolean; events: string[]; config: { url: string; secret?: string; content_type: string } }
  >;
  keys: Map<number, { id: number; key: string; title: string; read_only: boolean }>;
  statuses: Array<{ sha: string; state: string; context: string; target_url?: string; description?: string }>;
}

/**
 * A stateful fake of the GitHub REST API paths oCore uses, following
 * docs.github.com: classic-token scopes in X-OAuth-Scopes, absolute Link
 * pagination, 401 for bad credentials, 403 for missing scopes, 404 for
 * repositories the token cannot see.
 */
export class GitHubFake extends HttpFake {
  readonly repos = new Map<number, FakeRepo>();
  /** token → classic scopes (null: a fine-grained token that lists none) and admin rights. */
  readonly tokens = new Map<string, { scopes: string[] | null; admin: boolean }>();
  private nextId = 1000;

  constructor() {
    super();
    const repoRoute = (suffix: string) => `/repos/:owner/:repo${suffix}`;
    this.route('GET', '/repositories/:id', (req) =>
      this.withRepo(req, this.repos.get(Number(req.params.id)), (repo) => ({
        status: 200,
        body: this.repoJson(repo, req),
        headers: this.scopeHeader(req),
      })),
    );
    this.route('GET', repoRoute(''), (req) =>
      this.withRepo(req, this.byName(req), (repo) => ({
        status: 200,
        body: this.repoJson(repo, req),
        headers: this.scopeHeader(req),
      })),
    );
    this.route('GET', repoRoute('/branches'), (req) =>
      this.withRepo(req, this.byName(req), (repo) =>
        this.paged(
          req,
          repo.branches.map((b) => ({
            name: b.name,
            commit: { sha: b.sha, url: '' },
            protected: Boolean(b.protected),
          })),
        ),
      ),
    );
    this.route('GET', repoRoute('/tags'), (req) =>
      this.withRepo(req, this.byName(req), (repo) =>
        this.paged(
          req,
          repo.tags.map((t) => ({ name: t.name, commit: { sha: t.sha, url: '' } })),
        ),
      ),
    );
    this.route('POST', repoRoute('/hooks'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo', 'admin:repo_hook', 'write:repo_hook']);
        if (denied) return denied;
        const body = req.body as {
          name?: string;
          events?: string[];
          config?: { url?: string; secret?: string; content_type?: string };
        };
        if (!body?.config?.url)
          return {
            status: 422,
            body: { message: 'Validation Failed', errors: [{ field: 'config.url', code: 'missing' }] },
          };
        const hook = {
          id: this.nextId++,
          active: true,
          events: body.events ?? ['push'],
          config: {
            url: body.config.url,
            secret: body.config.secret,
            content_type: body.config.content_type ?? 'form',
          },
        };
        repo.hooks.set(hook.id, hook);
        return { status: 201, body: this.hookJson(hook) };
      }),
    );
    this.route('GET', repoRoute('/hooks/:id'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const hook = repo.hooks.get(Number(req.params.id));
        return hook ? { status: 200, body: this.hookJson(hook) } : { status: 404, body: { message: 'Not Found' } };
      }),
    );
    this.route('PATCH', repoRoute('/hooks/:id'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo', 'admin:repo_hook', 'write:repo_hook']);
        if (denied) return denied;
        const hook = repo.hooks.get(Number(req.params.id));
        if (!hook) return { status: 404, body: { message: 'Not Found' } };
        const body = req.body as { active?: boolean; events?: string[]; config?: { url?: string; secret?: string } };
        if (body.active !== undefined) hook.active = body.active;
        if (body.events) hook.events = body.events;
        if (body.config?.url) hook.config.url = body.config.url;
        if (body.config?.secret) hook.config.secret = body.config.secret;
        return { status: 200, body: this.hookJson(hook) };
      }),
    );
    this.route('DELETE', repoRoute('/hooks/:id'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo', 'admin:repo_hook', 'write:repo_hook']);
        if (denied) return denied;
        return repo.hooks.delete(Number(req.params.id))
          ? { status: 204 }
          : { status: 404, body: { message: 'Not Found' } };
      }),
    );
    this.route('POST', repoRoute('/keys'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo']);
        if (denied) return denied;
        const body = req.body as { title?: string; key?: string; read_only?: boolean };
        if (!body?.key?.startsWith('ssh-'))
          return {
            status: 422,
            body: {
              message: 'Validation Failed',
              errors: [{ field: 'key', code: 'custom', message: 'key is invalid' }],
            },
          };
        if ([...repo.keys.values()].some((k) => k.key === body.key))
          return { status: 422, body: { message: 'key is already in use' } };
        const key = { id: this.nextId++, key: body.key, title: body.title ?? '', read_only: body.read_only ?? false };
        repo.keys.set(key.id, key);
        return { status: 201, body: key };
      }),
    );
    this.route('GET', repoRoute('/keys/:id'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const key = repo.keys.get(Number(req.params.id));
        return key ? { status: 200, body: key } : { status: 404, body: { message: 'Not Found' } };
      }),
    );
    this.route('DELETE', repoRoute('/keys/:id'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo']);
        if (denied) return denied;
        return repo.keys.delete(Number(req.params.id))
          ? { status: 204 }
          : { status: 404, body: { message: 'Not Found' } };
      }),
    );
    this.route('POST', repoRoute('/statuses/:sha'), (req) =>
      this.withRepo(req, this.byName(req), (repo) => {
        const denied = this.require(req, ['repo', 'repo:status']);
        if (denied) return denied;
        const body = req.body as { state: string; context: string; target_url?: string; description?: string };
        repo.statuses.push({ sha: req.params.sha ?? '', ...body });
        return { status: 201, body: { id: this.nextId++, ...body } };
      }),
    );
  }

  /** Check runs created and updated through the API, in order of the calls. */
  readonly checkRuns: Array<{
    id: number;
    head_sha: string;
    name: string;
    status: string;
    conclusion?: string;
    details_url?: string;
  }> = [];

  /** Installations of the GitHub App: id → account. */
  readonly installations = new Map<number, { login: string; type: 'User' | 'Organization' }>();
  /** Access tokens issued per installation. */
  readonly issuedTokens: Array<{ installation: number; token: string }> = [];

  /** GitHub App endpoints: need `Authorization: Bearer <RS256 JWT>` whose `iss` is the app id. */
  serveApp(appId: string, verify: (jwt: string) => Promise<boolean>): void {
    const authorized = async (req: FakeRequest) => {
      const header = req.headers.authorization ?? '';
      if (!header.startsWith('Bearer ')) return false;
      const jwt = header.slice(7);
      const payload = JSON.parse(Buffer.from(jwt.split('.')[1] ?? '', 'base64url').toString() || '{}') as {
        iss?: string;
      };
      return payload.iss === appId && (await verify(jwt));
    };
    this.route('GET', '/app/installations/:id', async (req) => {
      if (!(await authorized(req))) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const inst = this.installations.get(Number(req.params.id));
      if (!inst) return { status: 404, body: { message: 'Not Found' } };
      return {
        status: 200,
        body: { id: Number(req.params.id), account: { login: inst.login, type: inst.type }, suspended_at: null },
      };
    });
    this.route('POST', '/repos/:owner/:repo/check-runs', (req) => {
      const body = req.body as { head_sha: string; name: string; status: string; details_url?: string };
      const run = { id: this.checkRuns.length + 1, ...body };
      this.checkRuns.push({ ...run });
      return { status: 201, body: run };
    });
    this.route('PATCH', '/repos/:owner/:repo/check-runs/:id', (req) => {
      const previous = [...this.checkRuns].reverse().find((r) => r.id === Number(req.params.id));
      if (!previous) return { status: 404, body: { message: 'Not Found' } };
      const run = { ...previous, ...(req.body as object) };
      this.checkRuns.push(run);
      return { status: 200, body: run };
    });
    this.route('POST', '/app/installations/:id/access_tokens', async (req) => {
      if (!(await authorized(req))) return { status: 401, body: { message: 'A JSON web token could not be decoded' } };
      const installation = Number(req.params.id);
      if (!this.installations.has(installation)) return { status: 404, body: { message: 'Not Found' } };
      const token = `ghs_${installation}_${this.issuedTokens.length}`;
      this.issuedTokens.push({ installation, token });
      this.tokens.set(token, { scopes: null, admin: true });
      return { status: 201, body: { token, expires_at: new Date(Date.now() + 3600_000).toISOString() } };
    });
  }

  addRepo(
    owner: string,
    name: string,
    options: Partial<Pick<FakeRepo, 'private' | 'defaultBranch' | 'branches' | 'tags'>> = {},
  ): FakeRepo {
    const repo: FakeRepo = {
      id: this.nextId++,
      owner,
      name,
      private: options.private ?? true,
      defaultBranch: options.defaultBranch ?? 'main',
      archived: false,
      branches: options.branches ?? [{ name: 'main', sha: 'a'.repeat(40), protected: true }],
      tags: options.tags ?? [],
      hooks: new Map(),
      keys: new Map(),
      statuses: [],
    };
    this.repos.set(repo.id, repo);
    return repo;
  }

  private token(req: FakeRequest): string | undefined {
    const header = req.headers.authorization;
    return header ? header.replace(/^(token|bearer)\s+/i, '') : undefined;
  }

  private withRepo(
    req: FakeRequest,
    repo: FakeRepo | undefined,
    then: (repo: FakeRepo) => ReturnType<Parameters<HttpFake['route']>[2]>,
  ) {
    const token = this.token(req);
    if (token !== undefined && !this.tokens.has(token)) return { status: 401, body: { message: 'Bad credentials' } };
    if (!repo || (repo.private && token === undefined)) return { status: 404, body: { message: 'Not Found' } };
    return then(repo);
  }

  private require(req: FakeRequest, anyOf: string[]) {
    const grant = this.tokens.get(this.token(req) ?? '');
    if (!grant) return { status: 401, body: { message: 'Requires authentication' } };
    const scoped = grant.scopes === null || grant.scopes.some((s) => anyOf.includes(s));
    if (!scoped || !grant.admin)
      return { status: 403, body: { message: 'Resource not accessible by personal access token' } };
    return undefined;
  }

  private byName(req: FakeRequest): FakeRepo | undefined {
    return [...this.repos.values()].find(
      (r) =>
        r.owner.toLowerCase() === req.params.owner?.toLowerCase() &&
        r.name.toLowerCase() === req.params.repo?.toLowerCase(),
    );
  }

  private scopeHeader(req: FakeRequest): Record<string, string> {
    const grant = this.tokens.get(this.token(req) ?? '');
    return grant?.scopes ? { 'x-oauth-scopes': grant.scopes.join(', ') } : {};
  }

  private repoJson(repo: FakeRepo, req: FakeRequest) {
    const grant = this.tokens.get(this.token(req) ?? '');
    return {
      id: repo.id,
      name: repo.name,
      full_name: `${repo.owner}/${repo.name}`,
      owner: { login: repo.owner },
      private: repo.private,
      visibility: repo.private ? 'private' : 'public',
      default_branch: repo.defaultBranch,
      archived: repo.archived,
      html_url: `https://github.com/${repo.owner}/${repo.name}`,
      clone_url: `https://github.com/${repo.owner}/${repo.name}.git`,
      ssh_url: `git@github.com:${repo.owner}/${repo.name}.git`,
      permissions: { admin: grant?.admin ?? false, push: Boolean(grant), pull: true },
    };
  }

  private hookJson(hook: FakeRepo['hooks'] extends Map<number, infer H> ? H : never) {
    return {
      id: hook.id,
      name: 'web',
      active: hook.active,
      events: hook.events,
      config: {
        url: hook.config.url,
        content_type: hook.config.content_type,
        insecure_ssl: '0',
        ...(hook.config.secret ? { secret: '********' } : {}),
      },
    };
  }

  /** Requests answered 304 Not Modified (they do not count against GitHub's rate limit). */
  notModified = 0;

  private paged(req: FakeRequest, items: unknown[]) {
    const { slice, page, hasNext } = pageOf(items, req.query, 30);
    // Conditional requests, as GitHub documents them: an ETag per response, 304 when it still matches.
    const etag = `W/"${createHash('sha1')
      .update(JSON.stringify([slice, hasNext]))
      .digest('hex')}"`;
    if (req.headers['if-none-match'] === etag) {
      this.notModified += 1;
      return { status: 304, headers: { etag } };
    }
    const headers: Record<string, string> = { ...this.scopeHeader(req), etag };
    if (hasNext) {
      const next = this.nextPageUrl(req, page + 1);
      headers.link = `<${next}>; rel="next"`;
    }
    return { status: 200, body: slice, headers };
  }
}
