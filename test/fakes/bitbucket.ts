import { randomUUID } from 'node:crypto';
import { type FakeRequest, type FakeResponse, HttpFake } from './http-fake.ts';

export interface FakeBbRepo {
  uuid: string;
  workspace: string;
  slug: string;
  isPrivate: boolean;
  mainBranch: string;
  branches: Array<{ name: string; sha: string }>;
  tags: Array<{ name: string; sha: string }>;
  hooks: Map<
    string,
    { uuid: string; url: string; secret?: string; active: boolean; events: string[]; description: string }
  >;
  keys: Map<number, { id: number; key: string; label: string }>;
  statuses: Array<{ sha: string; key: string; state: string; url: string }>;
}

/**
 * A stateful fake of the Bitbucket Cloud API 2.0 paths oCore uses, following
 * developer.atlassian.com: Basic (email:API token) or Bearer (access token)
 * auth, scopes in X-OAuth-Scopes, `{values, next}` pagination, `{type:"error"}` bodies.
 */
export class BitbucketFake extends HttpFake {
  readonly repos = new Map<string, FakeBbRepo>();
  /** Authorization header value → scopes. */
  readonly credentials = new Map<string, string[]>();
  private nextId = 70;

  constructor() {
    super();
    const at = (suffix: string) => `/2.0/repositories/:ws/:slug${suffix}`;
    this.route('GET', at(''), (req) =>
      this.withRepo(req, null, (r) => ({ status: 200, body: this.repoJson(r), headers: this.scopeHeader(req) })),
    );
    this.route('GET', at('/refs/branches'), (req) =>
      this.withRepo(req, null, (r) =>
        this.paged(
          req,
          r.branches.map((b) => ({ name: b.name, type: 'branch', target: { hash: b.sha } })),
        ),
      ),
    );
    this.route('GET', at('/refs/tags'), (req) =>
      this.withRepo(req, null, (r) =>
        this.paged(
          req,
          r.tags.map((t) => ({ name: t.name, type: 'tag', target: { hash: t.sha } })),
        ),
      ),
    );
    this.route('POST', at('/hooks'), (req) =>
      this.withRepo(req, 'webhook', (r) => {
        const body = req.body as {
          url?: string;
          secret?: string;
          active?: boolean;
          events?: string[];
          description?: string;
        };
        if (!body?.url || !body.events?.length) return this.error(400, 'url and events are required');
        const hook = {
          uuid: `{${randomUUID()}}`,
          url: body.url,
          secret: body.secret,
          active: body.active ?? true,
          events: body.events,
          description: body.description ?? '',
        };
        r.hooks.set(hook.uuid, hook);
        return { status: 201, body: this.hookJson(hook) };
      }),
    );
    this.route('GET', at('/hooks/:uid'), (req) =>
      this.withRepo(req, 'webhook', (r) => {
        const hook = r.hooks.get(req.params.uid ?? '');
        return hook ? { status: 200, body: this.hookJson(hook) } : this.error(404, 'Webhook not found');
      }),
    );
    this.route('PUT', at('/hooks/:uid'), (req) =>
      this.withRepo(req, 'webhook', (r) => {
        const hook = r.hooks.get(req.params.uid ?? '');
        if (!hook) return this.error(404, 'Webhook not found');
        const body = req.body as { url?: string; secret?: string; active?: boolean; events?: string[] };
        Object.assign(hook, {
          url: body.url ?? hook.url,
          secret: body.secret ?? hook.secret,
          active: body.active ?? hook.active,
          events: body.events ?? hook.events,
        });
        return { status: 200, body: this.hookJson(hook) };
      }),
    );
    this.route('DELETE', at('/hooks/:uid'), (req) =>
      this.withRepo(req, 'webhook', (r) =>
        r.hooks.delete(req.params.uid ?? '') ? { status: 204 } : this.error(404, 'Webhook not found'),
      ),
    );
    this.route('POST', at('/deploy-keys'), (req) =>
      this.withRepo(req, 'repository:admin', (r) => {
        const body = req.body as { key?: string; label?: string };
        if (!body?.key?.startsWith('ssh-')) return this.error(400, 'key is invalid');
        const key = { id: this.nextId++, key: body.key, label: body.label ?? '' };
        r.keys.set(key.id, key);
        return { status: 200, body: { ...key, type: 'deploy_key' } };
      }),
    );
    this.route('GET', at('/deploy-keys/:id'), (req) =>
      this.withRepo(req, 'repository:admin', (r) => {
        const key = r.keys.get(Number(req.params.id));
        return key ? { status: 200, body: key } : this.error(404, 'Deploy key not found');
      }),
    );
    this.route('DELETE', at('/deploy-keys/:id'), (req) =>
      this.withRepo(req, 'repository:admin', (r) =>
        r.keys.delete(Number(req.params.id)) ? { status: 204 } : this.error(404, 'Deploy key not found'),
      ),
    );
    this.route('POST', at('/commit/:sha/statuses/build'), (req) =>
      this.withRepo(req, 'repository:write', (r) => {
        const body = req.body as { key: string; state: string; url: string };
        r.statuses.push({ sha: req.params.sha ?? '', ...body });
        return { status: 201, body };
      }),
    );
  }

  addRepo(
    workspace: string,
    slug: string,
    options: Partial<Pick<FakeBbRepo, 'isPrivate' | 'mainBranch' | 'branches' | 'tags'>> = {},
  ): FakeBbRepo {
    const repo: FakeBbRepo = {
      uuid: `{${randomUUID()}}`,
      workspace,
      slug,
      isPrivate: options.isPrivate ?? true,
      mainBranch: options.mainBranch ?? 'main',
      branches: options.branches ?? [{ name: 'main', sha: 'c'.repeat(40) }],
      tags: options.tags ?? [],
      hooks: new Map(),
      keys: new Map(),
      statuses: [],
    };
    this.repos.set(repo.uuid, repo);
    return repo;
  }

  private error(status: number, message: string): FakeResponse {
    return { status, body: { type: 'error', error: { message } } };
  }

  private scopes(req: FakeRequest): string[] | undefined {
    return this.credentials.get(req.headers.authorization ?? '');
  }

  private scopeHeader(req: FakeRequest): Record<string, string> {
    const scopes = this.scopes(req);
    return scopes ? { 'x-oauth-scopes': scopes.join(', ') } : {};
  }

  private withRepo(req: FakeRequest, scope: string | null, then: (r: FakeBbRepo) => FakeResponse): FakeResponse {
    const auth = req.headers.authorization;
    const scopes = this.scopes(req);
    if (auth && !scopes) return this.error(401, 'Invalid credentials');
    const ws = req.params.ws ?? '';
    const slug = req.params.slug ?? '';
    const repo =
      ws === '{}'
        ? this.repos.get(slug)
        : [...this.repos.values()].find((r) => r.workspace === ws && (r.slug === slug || r.uuid === slug));
    if (!repo || (repo.isPrivate && !scopes)) return this.error(404, 'Repository not found');
    const implied: Record<string, string[]> = {
      'repository:write': ['repository:write', 'repository:admin'],
      webhook: ['webhook'],
      'repository:admin': ['repository:admin'],
    };
    if (scope && !scopes?.some((s) => implied[scope]?.includes(s))) {
      return this.error(403, 'Your credentials lack one or more required privilege scopes.');
    }
    return then(repo);
  }

  private repoJson(r: FakeBbRepo) {
    return {
      type: 'repository',
      uuid: r.uuid,
      slug: r.slug,
      full_name: `${r.workspace}/${r.slug}`,
      is_private: r.isPrivate,
      mainbranch: { name: r.mainBranch, type: 'branch' },
      workspace: { slug: r.workspace },
      links: {
        html: { href: `https://bitbucket.org/${r.workspace}/${r.slug}` },
        clone: [
          { name: 'https', href: `https://someone@bitbucket.org/${r.workspace}/${r.slug}.git` },
          { name: 'ssh', href: `git@bitbucket.org:${r.workspace}/${r.slug}.git` },
        ],
      },
    };
  }

  private hookJson(hook: FakeBbRepo['hooks'] extends Map<string, infer H> ? H : never) {
    const { secret, ...shown } = hook;
    return { ...shown, secret_set: Boolean(secret), type: 'webhook_subscription' };
  }

  private paged(req: FakeRequest, items: unknown[]): FakeResponse {
    const size = Math.min(Number(req.query.get('pagelen') ?? 10), 100);
    const page = Number(req.query.get('page') ?? 1);
    const values = items.slice((page - 1) * size, page * size);
    const body: Record<string, unknown> = { values, page, pagelen: size, size: items.length };
    if (page * size < items.length) {
      const next = this.nextPageUrl(req, page + 1);
      body.next = next.toString();
    }
    return { status: 200, body, headers: this.scopeHeader(req) };
  }
}
