import { randomBytes } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startEmbeddedPostgres } from '../db/embedded.ts';
import { createOrm, type MikroORM, migrate } from '../db/orm.ts';

/**
 * Starts the Postgres server a test run uses: the one DATABASE_URL points
 * at, or an embedded one. Returns the server URL and a stop function.
 */
export async function startTestServer(): Promise<{ serverUrl: string; stop: () => Promise<void> }> {
  const external = process.env.DATABASE_URL;
  if (external) {
    const url = new URL(external);
    url.pathname = '';
    return { serverUrl: url.toString().replace(/\/$/, ''), stop: async () => {} };
  }
  const dir = mkdtempSync(join(tmpdir(), 'ocore-test-pg-'));
  const db = await startEmbeddedPostgres({ dataDir: join(dir, 'data'), persistent: false });
  return { serverUrl: db.serverUrl, stop: () => db.stop() };
}

/** Creates a fresh, empty database on the server; each test file gets its own. */
export async function createDatabase(serverUrl: string, prefix = 'test'): Promise<string> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const client = new pg.Client({ connectionString: `${serverUrl}/postgres` });
  await client.connect();
  try {
    await client.query(`create database "${name}"`);
  } finally {
    await client.end();
  }
  return `${serverUrl}/${name}`;
}

/** A migrated database plus an ORM connected to it. */
export async function createMigratedDatabase(serverUrl: string): Promise<{ databaseUrl: string; orm: MikroORM }> {
  const databaseUrl = await createDatabase(serverUrl);
  const orm = await createOrm(databaseUrl, 5);
  await migrate(orm);
  return { databaseUrl, orm };
}
