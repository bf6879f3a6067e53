import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeySpec } from '../secrets/secret-box.ts';

const dataDir = () => process.env.DATA_DIR ?? '.data';

/**
 * The JWT secret of a local installation: JWT_SECRET when set, otherwise one
 * generated on first start and kept (mode 0600) in the data directory, so
 * tokens survive restarts.
 */
export function loadJwtSecret(create = false): string {
  if (process.env.JWT_SECRET) return process.env.JWT_SECRET;
  const file = join(dataDir(), 'jwt-secret');
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  if (!create) throw new Error(`JWT_SECRET is not set and ${file} does not exist (run \`ocore start\` once)`);
  mkdirSync(dataDir(), { recursive: true });
  const secret = randomBytes(48).toString('base64url');
  writeFileSync(file, `${secret}\n`, { mode: 0o600 });
  return secret;
}

/**
 * The at-rest encryption keys of a local installation: SECRETS_KEYS (and
 * SECRETS_ACTIVE_KEY) when set, otherwise a key ring generated on first start
 * and kept (mode 0600) in the data directory.
 */
export function loadSecretsKeys(create = false): { keys: string; active?: string } {
  if (process.env.SECRETS_KEYS)
    return { keys: process.env.SECRETS_KEYS, active: process.env.SECRETS_ACTIVE_KEY || undefined };
  const file = join(dataDir(), 'secrets-keys.json');
  if (existsSync(file)) return JSON.parse(readFileSync(file, 'utf8')) as { keys: string; active?: string };
  if (!create) throw new Error(`SECRETS_KEYS is not set and ${file} does not exist (run \`ocore start\` once)`);
  mkdirSync(dataDir(), { recursive: true });
  const ring = { keys: generateKeySpec('k1'), active: 'k1' };
  writeFileSync(file, `${JSON.stringify(ring)}\n`, { mode: 0o600 });
  return ring;
}

/** Adds a new key to the local key ring file and makes it active; returns the new ring. */
export function addLocalSecretsKey(): { keys: string; active: string } {
  const file = join(dataDir(), 'secrets-keys.json');
  const current = loadSecretsKeys(true);
  const id = `k${current.keys.split(',').length + 1}`;
  const ring = { keys: `${current.keys},${generateKeySpec(id)}`, active: id };
  writeFileSync(file, `${JSON.stringify(ring)}\n`, { mode: 0o600 });
  return ring;
}
