import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

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
