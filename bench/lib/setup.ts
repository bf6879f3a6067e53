import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  connectRepository,
  createBoss,
  createLogger,
  createMigratedDatabase,
  createProject,
  createProviderFactory,
  createSecretBox,
  DEFAULT_PROVIDER_SETTINGS,
  generateKeySpec,
  parseKeyRing,
  type RepositoryDeps,
  startTestServer,
} from './testing.ts';

export const SECRETS_KEYS = generateKeySpec('bench');

/** GitHub's published 8.8 KB push example (../shared/provider-payloads). */
export const PUSH_PAYLOAD = readFileSync(
  join(
    import.meta.dirname,
    '..',
    '..',
    '..',
    'shared',
    'provider-payloads',
    'github',
    'octokit-webhooks',
    'push',
    'with-new-branch.payload.json',
  ),
  'utf8',
);
export const principal = {
  userId: 'bench',
  orgId: 'bench',
  permissions: new Set(['view:projects', 'manage:projects', 'manage:org_settings'] as const),
};

/** A fresh database on embedded Postgres (or DATABASE_URL's server), migrated, with repository deps. */
export async function benchDatabase() {
  const server = await startTestServer();
  const { orm, databaseUrl } = await createMigratedDatabase(server.serverUrl);
  const log = createLogger('bench', 'silent');
  const boss = await createBoss(databaseUrl, log, 2);
  const deps: RepositoryDeps = {
    boss,
    dataDir: mkdtempSync(join(tmpdir(), 'ocore-bench-')),
    providers: createProviderFactory(),
    providerSettings: DEFAULT_PROVIDER_SETTINGS,
    secrets: createSecretBox(parseKeyRing(SECRETS_KEYS), 'bench'),
    webhookBaseUrl: 'http://127.0.0.1:0',
    log,
    scheduleCleanup: async () => {},
  };
  return {
    orm,
    databaseUrl,
    deps,
    /** A project connected (by hand, no token) to `repoUrl`; returns its id and webhook secret. */
    async project(name: string, repoUrl: string) {
      const project = await createProject(orm.em.fork(), principal, { name });
      const repo = await connectRepository(orm.em.fork(), principal, project.id, { repoUrl, provider: 'github' }, deps);
      return { id: project.id, secret: repo.manualSetup?.webhookSecret ?? '' };
    },
    async stop() {
      await boss.stop({ graceful: false });
      await orm.close();
      await server.stop();
    },
  };
}
