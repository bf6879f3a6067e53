import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const PAYLOADS = join(import.meta.dirname, '..', '..', '..', 'shared', 'provider-payloads');

/** A published example payload from ../shared/provider-payloads. */
export function examplePayload(path: string): any {
  return JSON.parse(readFileSync(join(PAYLOADS, path), 'utf8'));
}

const hmac = (secret: string, body: string) => createHmac('sha256', secret).update(body).digest('hex');

/** Headers a provider sends with a delivery, signed with its real algorithm. */
export function signedHeaders(
  provider: 'github' | 'gitlab' | 'bitbucket',
  secret: string,
  body: string,
  event: string,
  deliveryId: string = randomUUID(),
): Record<string, string> {
  switch (provider) {
    case 'github':
      return {
        'content-type': 'application/json',
        'x-github-event': event,
        'x-github-delivery': deliveryId,
        'x-hub-signature-256': `sha256=${hmac(secret, body)}`,
        'user-agent': 'GitHub-Hookshot/test',
      };
    case 'gitlab':
      return {
        'content-type': 'application/json',
        'x-gitlab-event': event,
        'x-gitlab-event-uuid': deliveryId,
        'idempotency-key': deliveryId,
        'x-gitlab-token': secret,
      };
    case 'bitbucket':
      return {
        'content-type': 'application/json',
        'x-event-key': event,
        'x-request-uuid': deliveryId,
        'x-hub-signature': `sha256=${hmac(secret, body)}`,
      };
  }
}
