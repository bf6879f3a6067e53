import { ProviderError } from './errors.ts';

export interface RetryPolicy {
  /** Retries after the first attempt. */
  retries: number;
  baseDelayMs: number;
  /** A wait longer than this is not worth it: fail instead. */
  maxDelayMs: number;
}

export const DEFAULT_RETRY: RetryPolicy = { retries: 3, baseDelayMs: 500, maxDelayMs: 30_000 };

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Retries transient provider failures (no response, 429, 5xx, rate limits)
 * with exponential backoff and jitter, honouring the provider's Retry-After.
 */
export async function withRetry<T>(run: () => Promise<T>, policy: RetryPolicy = DEFAULT_RETRY): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      if (!(error instanceof ProviderError) || !error.retriable || attempt >= policy.retries) throw error;
      const backoff = policy.baseDelayMs * 2 ** attempt * (0.75 + Math.random() * 0.5);
      const wait = Math.max(backoff, error.retryAfterMs ?? 0);
      if (wait > policy.maxDelayMs) throw error;
      await sleep(wait);
    }
  }
}
