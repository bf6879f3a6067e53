import { ProviderError, retryAfterFrom } from '../errors.ts';
import type { ProviderConnection } from '../port.ts';

/**
 * A thin Bitbucket Cloud API 2.0 client over fetch. Auth: an Atlassian API
 * token as `email:token` (HTTP Basic), or a repository/workspace access
 * token (Bearer). App passwords no longer work.
 */
export interface BitbucketClient {
  request<T>(method: string, path: string, body?: unknown): Promise<{ data: T; headers: Headers }>;
  /** Follows `next` links until the last page. */
  all<T>(path: string): Promise<T[]>;
}

export function authorizationFor(token: string | undefined): string | undefined {
  if (!token) return undefined;
  if (token.includes(':')) return `Basic ${Buffer.from(token).toString('base64')}`;
  return `Bearer ${token}`;
}

export function createBitbucketClient(connection: ProviderConnection): BitbucketClient {
  const base = connection.apiBaseUrl.replace(/\/+$/, '');
  const auth = authorizationFor(connection.token);
  const send = async <T>(method: string, url: string, body?: unknown) => {
    let response: Response;
    try {
      response = await fetch(url, {
        method,
        headers: {
          accept: 'application/json',
          ...(auth ? { authorization: auth } : {}),
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (error) {
      throw new ProviderError(0, `Bitbucket did not answer: ${(error as Error).message}`);
    }
    const text = await response.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    if (!response.ok) {
      const message =
        (json as { error?: { message?: string } } | undefined)?.error?.message ??
        (text.slice(0, 200) || response.statusText);
      throw new ProviderError(response.status, message, retryAfterFrom(response.status, response.headers));
    }
    return { data: json as T, headers: response.headers };
  };
  return {
    request: (method, path, body) => send(method, `${base}${path}`, body),
    async all<T>(path: string) {
      const items: T[] = [];
      let url: string | undefined = `${base}${path}${path.includes('?') ? '&' : '?'}pagelen=100`;
      for (let page = 0; url && page < 1000; page++) {
        const response: { data: { values: T[]; next?: string } } = await send('GET', url);
        const data = response.data;
        items.push(...data.values);
        url = data.next;
      }
      return items;
    },
  };
}
