import { type FakeRequest, type FakeResponse, HttpFake, pageOf } from './http-fake.ts';

export interface FakeProject {
  id: number;
  namespace: string;
  path: string;
  visibility: 'private' | 'internal' | 'public';
  defaultBranch: string;
  archived: boolean;
  branches: Array<{ name: string; sha: string; protected?: boolean }>;
  tags: Array<{ name: string; sha: string }>;
  hooks: Map<
    number,
    { id: number; url: string; token?: string; push_events: boolean; tag_push_events: boolean; alert_status: string }
  >;
  keys: Map<number, { id: number; title: string; key: string; can_push: boolean }>;
  statuses: Array<{ sha: string; state: string; name: string; target_url?: string }>;
}

/**
 * A stateful fake of the GitLab REST API v4 paths oCore uses, following
 * docs.gitlab.com: PRIVATE-TOKEN auth, projects by numeric id or URL-encoded
 * path, offset pagination with Link and X-Next-Page, `{message}` errors.
 */
export class GitLabFake extends HttpFake {
  readonly projects = new Map<number, FakeProject>();
  /** token → scopes and access level (40 = Maintainer). */
  readonly tokens = new Map<string, { scopes: string[]; accessLevel: number }>();
  private nextId = 500;

  constructor() {
    super();
    const at = (suffix: string) => `/api/v4/projects/:id${suffix}`;
    this.route('GET', '/api/v4/personal_access_tokens/self', (req) => {
      const grant = this.grant(req);
      return grant
        ? { status: 200, body: { id: 1, name: 'ocore', scopes: grant.scopes, active: true } }
        : { status: 401, body: { message: '401 Unauthorized' } };
    });
    this.route('GET', at(''), (req) =>
      this.withProject(req, false, (p) => ({ status: 200, body: this.projectJson(p, req) })),
    );
    this.route('GET', at('/repository/branches'), (req) =>
      this.withProject(req, false, (p) =>
        this.paged(
          req,
          p.branches.map((b) => ({
            name: b.name,
            commit: { id: b.sha },
            protected: Boolean(b.protected),
            default: b.name === p.defaultBranch,
          })),
        ),
      ),
    );
    this.route('GET', at('/repository/tags'), (req) =>
      this.withProject(req, false, (p) =>
        this.paged(
          req,
          p.tags.map((t) => ({ name: t.name, commit: { id: t.sha } })),
        ),
      ),
    );
    this.route('POST', at('/hooks'), (req) =>
      this.withProject(req, true, (p) => {
        const body = req.body as { url?: string; token?: string; push_events?: boolean; tag_push_events?: boolean };
        if (!body?.url) return { status: 400, body: { message: { url: ['is blocked: URL is required'] } } };
        const hook = {
          id: this.nextId++,
          url: body.url,
          token: body.token,
          push_events: body.push_events ?? true,
          tag_push_events: body.tag_push_events ?? false,
          alert_status: 'executable',
        };
        p.hooks.set(hook.id, hook);
        return { status: 201, body: this.hookJson(hook, p) };
      }),
    );
    this.route('GET', at('/hooks/:hook'), (req) =>
      this.withProject(req, true, (p) => {
        const hook = p.hooks.get(Number(req.params.hook));
        return hook
          ? { status: 200, body: this.hookJson(hook, p) }
          : { status: 404, body: { message: '404 Not found' } };
      }),
    );
    this.route('PUT', at('/hooks/:hook'), (req) =>
      this.withProject(req, true, (p) => {
        const hook = p.hooks.get(Number(req.params.hook));
        if (!hook) return { status: 404, body: { message: '404 Not found' } };
        const body = req.body as { url?: string; token?: string };
        if (body.url) hook.url = body.url;
        if (body.token) hook.token = body.token;
        hook.alert_status = 'executable';
        return { status: 200, body: this.hookJson(hook, p) };
      }),
    );
    this.route('DELETE', at('/hooks/:hook'), (req) =>
      this.withProject(req, true, (p) =>
        p.hooks.delete(Number(req.params.hook)) ? { status: 204 } : { status: 404, body: { message: '404 Not found' } },
      ),
    );
    this.route('POST', at('/deploy_keys'), (req) =>
      this.withProject(req, true, (p) => {
        const body = req.body as { title?: string; key?: string; can_push?: boolean };
        if (!body?.title || !body.key?.startsWith('ssh-'))
          return { status: 400, body: { message: { key: ['is invalid'] } } };
        const key = { id: this.nextId++, title: body.title, key: body.key, can_push: Boolean(body.can_push) };
        p.keys.set(key.id, key);
        return { status: 201, body: { ...key, created_at: new Date().toISOString() } };
      }),
    );
    this.route('GET', at('/deploy_keys/:key'), (req) =>
      this.withProject(req, true, (p) => {
        const key = p.keys.get(Number(req.params.key));
        return key ? { status: 200, body: key } : { status: 404, body: { message: '404 Deploy Key Not Found' } };
      }),
    );
    this.route('DELETE', at('/deploy_keys/:key'), (req) =>
      this.withProject(req, true, (p) =>
        p.keys.delete(Number(req.params.key))
          ? { status: 204 }
          : { status: 404, body: { message: '404 Deploy Key Not Found' } },
      ),
    );
    this.route('POST', at('/statuses/:sha'), (req) =>
      this.withProject(req, true, (p) => {
        const body = req.body as { state: string; name: string; target_url?: string };
        p.statuses.push({ sha: req.params.sha ?? '', ...body });
        return { status: 201, body: { id: this.nextId++, ...body } };
      }),
    );
  }

  addProject(
    namespace: string,
    path: string,
    options: Partial<Pick<FakeProject, 'visibility' | 'defaultBranch' | 'branches' | 'tags'>> = {},
  ): FakeProject {
    const project: FakeProject = {
      id: this.nextId++,
      namespace,
      path,
      visibility: options.visibility ?? 'private',
      defaultBranch: options.defaultBranch ?? 'main',
      archived: false,
      branches: options.branches ?? [{ name: 'main', sha: 'b'.repeat(40), protected: true }],
      tags: options.tags ?? [],
      hooks: new Map(),
      keys: new Map(),
      statuses: [],
    };
    this.projects.set(project.id, project);
    return project;
  }

  private grant(req: FakeRequest) {
    const token = req.headers['private-token'];
    return typeof token === 'string' ? this.tokens.get(token) : undefined;
  }

  private withProject(req: FakeRequest, write: boolean, then: (p: FakeProject) => FakeResponse): FakeResponse {
    const token = req.headers['private-token'];
    const grant = this.grant(req);
    if (typeof token === 'string' && token !== '' && !grant)
      return { status: 401, body: { message: '401 Unauthorized' } };
    const id = req.params.id ?? '';
    const project = /^\d+$/.test(id)
      ? this.projects.get(Number(id))
      : [...this.projects.values()].find((p) => `${p.namespace}/${p.path}`.toLowerCase() === id.toLowerCase());
    if (!project || (project.visibility !== 'public' && !grant))
      return { status: 404, body: { message: '404 Project Not Found' } };
    if (write) {
      if (!grant?.scopes.includes('api'))
        return {
          status: 403,
          body: {
            error: 'insufficient_scope',
            error_description: 'The request requires higher privileges than provided by the access token.',
            message: '403 Forbidden',
          },
        };
      if (grant.accessLevel < 40) return { status: 403, body: { message: '403 Forbidden' } };
    }
    return then(project);
  }

  private projectJson(p: FakeProject, req: FakeRequest) {
    const base = this.url;
    return {
      id: p.id,
      path: p.path,
      path_with_namespace: `${p.namespace}/${p.path}`,
      namespace: { full_path: p.namespace },
      default_branch: p.defaultBranch,
      visibility: p.visibility,
      archived: p.archived,
      http_url_to_repo: `${base}/${p.namespace}/${p.path}.git`,
      ssh_url_to_repo: `git@127.0.0.1:${p.namespace}/${p.path}.git`,
      web_url: `${base}/${p.namespace}/${p.path}`,
      permissions: { project_access: { access_level: this.grant(req)?.accessLevel ?? 0 }, group_access: null },
    };
  }

  private hookJson(hook: FakeProject['hooks'] extends Map<number, infer H> ? H : never, p: FakeProject) {
    const { token: _secret, ...shown } = hook;
    return { ...shown, project_id: p.id, enable_ssl_verification: true, created_at: new Date().toISOString() };
  }

  private paged(req: FakeRequest, items: unknown[]): FakeResponse {
    const { slice, page, size, hasNext, total } = pageOf(items, req.query, 20);
    const headers: Record<string, string> = {
      'x-page': String(page),
      'x-per-page': String(size),
      'x-total': String(total),
      'x-total-pages': String(Math.max(1, Math.ceil(total / size))),
      'x-next-page': hasNext ? String(page + 1) : '',
    };
    if (hasNext) {
      const next = this.nextPageUrl(req, page + 1);
      headers.link = `<${next}>; rel="next"`;
    }
    return { status: 200, body: slice, headers };
  }
}
