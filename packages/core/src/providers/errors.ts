/** A provider API call failed; `status` is the provider's HTTP status (0: no response). */
export class ProviderError extends Error {
  readonly status: number;
  /** How long the provider asked us to wait (Retry-After or rate-limit reset), when it said. */
  readonly retryAfterMs: number | undefined;
  constructor(status: number, message: string, retryAfterMs?: number) {
    super(message);
    this.name = 'ProviderError';
    this.status = status;
    this.retryAfterMs = retryAfterMs;
  }

  get retriable(): boolean {
    return this.status === 0 || this.status === 429 || this.status >= 500 || this.retryAfterMs !== undefined;
  }
}

type HeaderBag = Headers | Record<string, string | number | undefined | null> | undefined;

function header(headers: HeaderBag, name: string): string | undefined {
  if (!headers) return undefined;
  if (headers instanceof Headers) return headers.get(name) ?? undefined;
  const value = headers[name] ?? headers[name.toLowerCase()];
  return value === undefined || value === null ? undefined : String(value);
}

/**
 * How long to wait before retrying, from `Retry-After` (secondary limits, 429)
 * or an exhausted primary rate limit (`x-ratelimit-remaining: 0` + reset).
 */
export function retryAfterFrom(status: number, headers: HeaderBag, now = Date.now()): number | undefined {
  const retryAfter = header(headers, 'retry-after');
  if (retryAfter !== undefined) {
    const seconds = Number(retryAfter);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(retryAfter);
    if (!Number.isNaN(date)) return Math.max(0, date - now);
  }
  if ((status === 403 || status === 429) && header(headers, 'x-ratelimit-remaining') === '0') {
    const reset = Number(header(headers, 'x-ratelimit-reset'));
    if (Number.isFinite(reset)) return Math.max(0, reset * 1000 - now);
  }
  return undefined;
}
