import { z } from 'zod';
import { parseKeyRing } from './secrets/secret-box.ts';

const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);

const ConfigSchema = z.object({
  DATABASE_URL: z
    .string()
    .regex(/^postgres(ql)?:\/\//, 'must be a postgres:// or postgresql:// URL')
    .optional(),
  JWT_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
  JWT_JWKS_URL: z.url().optional(),
  JWT_ISSUER: z.string().optional(),
  JWT_AUDIENCE: z.string().optional(),
  HOST: z.string().default('127.0.0.1'),
  API_PORT: port(3000),
  WEBHOOKS_PORT: port(3001),
  WORKER_PORT: port(3002),
  PUBLIC_API_URL: z.url().optional(),
  PUBLIC_WEBHOOKS_URL: z.url().optional(),
  DATA_DIR: z.string().default('.data'),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
  DB_POOL_MAX: z.coerce.number().int().min(1).max(200).default(10),
  SECRETS_KEYS: z.string().optional(),
  SECRETS_ACTIVE_KEY: z.string().optional(),
  GITHUB_API_URL: z.url().default('https://api.github.com'),
  GITLAB_API_URL: z.url().default('https://gitlab.com'),
  BITBUCKET_API_URL: z.url().default('https://api.bitbucket.org/2.0'),
  GITHUB_APP_ID: z.string().regex(/^\d+$/, 'must be the numeric app id').optional(),
  GITHUB_APP_PRIVATE_KEY: z.string().includes('PRIVATE KEY', { message: 'must be a PEM private key' }).optional(),
  GITHUB_APP_WEBHOOK_SECRET: z.string().min(16).optional(),
  GITHUB_APP_SLUG: z
    .string()
    .regex(/^[a-z0-9-]+$/)
    .optional(),
  GITHUB_APP_CLIENT_ID: z.string().optional(),
  GITHUB_APP_CLIENT_SECRET: z.string().optional(),
  GITHUB_WEB_URL: z.url().default('https://github.com'),
  GITLAB_SYSTEM_HOOK_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  PROVIDER_RETRIES: z.coerce.number().int().min(0).max(10).default(3),
  PROVIDER_RETRY_BASE_MS: z.coerce.number().int().min(1).max(60_000).default(500),
  /** Processed webhook deliveries older than this are deleted daily; 0 keeps them forever. */
  WEBHOOK_DELIVERY_RETENTION_DAYS: z.coerce.number().int().min(0).max(3650).default(30),
});

export type Config = z.infer<typeof ConfigSchema>;
type Need = 'database' | 'jwt' | 'secrets';

export class ConfigError extends Error {
  constructor(problems: string[]) {
    super(`invalid configuration:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'ConfigError';
  }
}

/** Reads and validates the environment; lists every problem at once. */
export function loadConfig(
  env: Record<string, string | undefined> = process.env,
  needs: Need[] = [],
): Config & { DATABASE_URL: string } {
  const parsed = ConfigSchema.safeParse(env);
  const problems = parsed.success ? [] : parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`);
  const config = parsed.success ? parsed.data : undefined;
  if (config && needs.includes('database') && !config.DATABASE_URL) {
    problems.push('DATABASE_URL: required (or use `pnpm start`, which starts embedded Postgres)');
  }
  if (config && needs.includes('jwt') && !config.JWT_SECRET && !config.JWT_JWKS_URL) {
    problems.push('JWT_SECRET or JWT_JWKS_URL: one of them is required to verify bearer tokens');
  }
  if (config && needs.includes('secrets')) {
    if (!config.SECRETS_KEYS) {
      problems.push('SECRETS_KEYS: required: "<id>:<base64 32-byte key>[,…]" (`pnpm start` generates one)');
    } else {
      try {
        const ring = parseKeyRing(config.SECRETS_KEYS);
        if (config.SECRETS_ACTIVE_KEY && !ring.has(config.SECRETS_ACTIVE_KEY)) {
          problems.push(`SECRETS_ACTIVE_KEY: "${config.SECRETS_ACTIVE_KEY}" is not in SECRETS_KEYS`);
        }
      } catch (error) {
        problems.push((error as Error).message);
      }
    }
  }
  if (!config || problems.length > 0) throw new ConfigError(problems);
  return config as Config & { DATABASE_URL: string };
}
