import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FakeRequest {
  method: string;
  path: string;
  query: URLSearchParams;
  headers: IncomingMessage['headers'];
  params: Record<string, string>;
  body: any;
}

export interface FakeResponse {
  status: number;
  body?: unknown;
  headers?: Record<string, string>;
}

type Handler = (req: FakeRequest) => FakeResponse | Promise<FakeResponse>;

interface Failure {
  method: string;
  pattern: RegExp;
  status: number;
  times: number;
  headers?: Record<string, string>;
}

/**
 * A small stateful HTTP fake: routes with `:params`, a request log, and
 * failure injection (the next N matching requests answer with a status).
 */
export class HttpFake {
  readonly log: Array<{ method: string; path: string; status: number }> = [];
  private readonly routes: Array<{ method: string; regex: RegExp; keys: string[]; handler: Handler }> = [];
  private readonly failures: Failure[] = [];
  private server: Server | undefined;
  url = '';
  /** While true, every request fails with 503 (the provider is down). */
  down = false;
  /** Stripped from request paths before routing (GitHub Enterprise serves its API under /api/v3). */
  prefix = '';
  /** Handles requests no route matches (e.g. git's smart HTTP protocol). */
  fallback: ((req: IncomingMessage, res: ServerResponse, body: Buffer) => void) | undefined;

  route(method: string, pattern: string, handler: Handler): this {
    const keys: string[] = [];
    const regex = new RegExp(
      `^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/:(\w+)/g, (_m, key: string) => {
        keys.push(key);
        return '([^/]+)';
      })}$`,
    );
    this.routes.push({ method, regex, keys, handler });
    return this;
  }

  /** The next `times` requests matching method and path pattern answer `status`. */
  failNext(method: string, pattern: RegExp, status: number, times = 1, headers?: Record<string, string>): void {
    this.failures.push({ method, pattern, status, times, headers });
  }

  /** The absolute URL of another page of the same request, as providers put in Link/next. */
  nextPageUrl(req: FakeRequest, page: number): string {
    const next = new URL(`${this.url}${req.path}`);
    for (const [key, value] of req.query) next.searchParams.set(key, value);
    next.searchParams.set('page', String(page));
    return next.toString();
  }

  count(method: string, pattern: RegExp): number {
    return this.log.filter((entry) => entry.method === method && pattern.test(entry.path)).length;
  }

  async start(): Promise<string> {
    this.server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((done) => this.server?.listen(0, '127.0.0.1', done));
    const address = this.server.address();
    this.url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    return this.url;
  }

  async stop(): Promise<void> {
    await new Promise<void>((done) => this.server?.close(() => done()));
  }

  private send(res: ServerResponse, method: string, path: string, reply: FakeResponse): void {
    this.log.push({ method, path, status: reply.status });
    res.writeHead(reply.status, { 'content-type': 'application/json', ...reply.headers });
    res.end(reply.body === undefined || reply.status === 304 ? '' : JSON.stringify(reply.body));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', this.url);
    const method = req.method ?? 'GET';
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const text = raw.toString('utf8');
    if (this.prefix && !url.pathname.startsWith(this.prefix) && this.fallback) return this.fallback(req, res, raw);
    const path = this.prefix ? url.pathname.slice(this.prefix.length) || '/' : url.pathname;
    if (this.down) return this.send(res, method, path, { status: 503, body: { message: 'Service Unavailable' } });
    const failure = this.failures.find((f) => f.times > 0 && f.method === method && f.pattern.test(path));
    if (failure) {
      failure.times -= 1;
      return this.send(res, method, path, {
        status: failure.status,
        body: { message: `injected ${failure.status}` },
        headers: failure.headers,
      });
    }
    for (const route of this.routes) {
      if (route.method !== method) continue;
      const match = route.regex.exec(path);
      if (!match) continue;
      const params = Object.fromEntries(route.keys.map((key, i) => [key, decodeURIComponent(match[i + 1] ?? '')]));
      let body: unknown;
      try {
        body = text ? JSON.parse(text) : undefined;
      } catch {
        return this.send(res, method, path, { status: 400, body: { message: 'Problems parsing JSON' } });
      }
      try {
        return this.send(
          res,
          method,
          path,
          await route.handler({ method, path, query: url.searchParams, headers: req.headers, params, body }),
        );
      } catch (error) {
        return this.send(res, method, path, { status: 500, body: { message: String(error) } });
      }
    }
    this.send(res, method, path, { status: 404, body: { message: 'Not Found' } });
  }
}

/** Items of one page and the pagination facts, for fakes that page like their provider. */
export function pageOf<T>(items: T[], query: URLSearchParams, defaultSize: number, sizeParam = 'per_page') {
  const size = Math.min(Number(query.get(sizeParam) ?? defaultSize), 100);
  const page = Number(query.get('page') ?? 1);
  const slice = items.slice((page - 1) * size, page * size);
  return { slice, page, size, hasNext: page * size < items.length, total: items.length };
}
