import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/**
 * AES-256-GCM for secrets at rest (access tokens, deploy private keys,
 * webhook secrets). Each value carries the id of the key that sealed it:
 * `v1:<keyId>:<iv>:<tag>:<ciphertext>` (base64url), so keys can rotate.
 */
export interface SecretBox {
  readonly activeKeyId: string;
  seal(plaintext: string): string;
  open(sealed: string): string;
  /** The key id a sealed value was written with. */
  keyIdOf(sealed: string): string;
}

const KEY_ID = /^[A-Za-z0-9_-]{1,32}$/;

/** Parses `SECRETS_KEYS` ("id:base64key,id2:base64key"); every key must be 32 bytes. */
export function parseKeyRing(spec: string): Map<string, Buffer> {
  const ring = new Map<string, Buffer>();
  for (const entry of spec
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean)) {
    const [id, encoded] = entry.split(':');
    if (!id || !encoded || !KEY_ID.test(id))
      throw new Error(`SECRETS_KEYS: "${id ?? ''}:…" is not "<id>:<base64 key>"`);
    const key = Buffer.from(encoded, 'base64');
    if (key.length !== 32) throw new Error(`SECRETS_KEYS: key "${id}" must be 32 bytes (base64), got ${key.length}`);
    ring.set(id, key);
  }
  if (ring.size === 0) throw new Error('SECRETS_KEYS: no keys');
  return ring;
}

export function generateKeySpec(id = `k${Date.now().toString(36)}`): string {
  return `${id}:${randomBytes(32).toString('base64')}`;
}

export function createSecretBox(ring: Map<string, Buffer>, activeKeyId: string): SecretBox {
  const active = ring.get(activeKeyId);
  if (!active) throw new Error(`SECRETS_ACTIVE_KEY: "${activeKeyId}" is not in SECRETS_KEYS`);
  const parts = (sealed: string) => {
    const [version, keyId, iv, tag, data] = sealed.split(':');
    if (version !== 'v1' || !keyId || !iv || !tag || data === undefined) throw new Error('not a sealed secret');
    return { keyId, iv, tag, data };
  };
  return {
    activeKeyId,
    seal(plaintext) {
      const iv = randomBytes(12);
      const cipher = createCipheriv('aes-256-gcm', active, iv);
      const data = Buffer.concat([cipher.update(plaintext, 'utf8'), cipher.final()]);
      const tag = cipher.getAuthTag();
      return ['v1', activeKeyId, iv.toString('base64url'), tag.toString('base64url'), data.toString('base64url')].join(
        ':',
      );
    },
    open(sealed) {
      const { keyId, iv, tag, data } = parts(sealed);
      const key = ring.get(keyId);
      if (!key) throw new Error(`secret was sealed with key "${keyId}", which is not in SECRETS_KEYS`);
      const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64url'));
      decipher.setAuthTag(Buffer.from(tag, 'base64url'));
      return Buffer.concat([decipher.update(Buffer.from(data, 'base64url')), decipher.final()]).toString('utf8');
    },
    keyIdOf: (sealed) => parts(sealed).keyId,
  };
}
