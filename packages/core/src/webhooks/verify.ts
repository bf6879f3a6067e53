import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import type { ProviderName } from '../git/repo-url.ts';

type Headers = Record<string, string | string[] | undefined>;

const first = (value: string | string[] | undefined) => (Array.isArray(value) ? value[0] : value);

/** Constant-time comparison that does not leak the length either. */
function safeEqual(a: string, b: string): boolean {
  const ha = createHash('sha256').update(a).digest();
  const hb = createHash('sha256').update(b).digest();
  return timingSafeEqual(ha, hb) && a.length === b.length;
}

const hmacHex = (secret: string, body: Buffer | string) => createHmac('sha256', secret).update(body).digest('hex');

/**
 * Verifies a delivery over its raw bytes with the provider's scheme:
 * GitHub `X-Hub-Signature-256: sha256=<hmac>`, GitLab `X-Gitlab-Token`
 * (the secret itself), Bitbucket `X-Hub-Signature: sha256=<hmac>`.
 */
export function verifySignature(
  provider: ProviderName,
  secret: string,
  rawBody: Buffer | string,
  headers: Headers,
): boolean {
  switch (provider) {
    case 'github': {
      const signature = first(headers['x-hub-signature-256']);
      return typeof signature === 'string' && safeEqual(signature, `sha256=${hmacHex(secret, rawBody)}`);
    }
    case 'gitlab': {
      const token = first(headers['x-gitlab-token']);
      return typeof token === 'string' && safeEqual(token, secret);
    }
    case 'bitbucket': {
      const signature = first(headers['x-hub-signature']);
      return typeof signature === 'string' && safeEqual(signature, `sha256=${hmacHex(secret, rawBody)}`);
    }
  }
}

/** The provider's delivery id (stable across redeliveries), the header it came from, and the event name. */
export function deliveryIdentity(
  provider: ProviderName,
  headers: Headers,
): { deliveryId: string | undefined; header: string | undefined; event: string } {
  const pick = (...names: string[]) => {
    const header = names.find((name) => first(headers[name]) !== undefined);
    return { deliveryId: header ? first(headers[header]) : undefined, header };
  };
  switch (provider) {
    case 'github':
      return { ...pick('x-github-delivery'), event: first(headers['x-github-event']) ?? '' };
    case 'gitlab':
      return { ...pick('idempotency-key', 'x-gitlab-event-uuid'), event: first(headers['x-gitlab-event']) ?? '' };
    case 'bitbucket':
      return { ...pick('x-request-uuid', 'x-hook-uuid'), event: first(headers['x-event-key']) ?? '' };
  }
}

const SECRET_HEADERS = new Set(['x-hub-signature', 'x-hub-signature-256', 'x-gitlab-token', 'authorization', 'cookie']);

/** Delivery headers worth keeping, without anything secret. */
export function storableHeaders(headers: Headers): Record<string, string> {
  const kept: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const v = first(value);
    if (v !== undefined && !SECRET_HEADERS.has(name.toLowerCase())) kept[name.toLowerCase()] = v.slice(0, 1000);
  }
  return kept;
}
