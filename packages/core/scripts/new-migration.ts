// Writes a migration for the difference between the entities and the committed migrations.
// Usage: pnpm --filter @ocore/core exec node scripts/new-migration.ts
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmbeddedPostgres } from '../src/db/embedded.ts';
import { createOrm } from '../src/db/orm.ts';

const db = await startEmbeddedPostgres({
  dataDir: join(mkdtempSync(join(tmpdir(), 'ocore-mig-')), 'pg'),
  persistent: false,
});
const orm = await createOrm(await db.createDatabase('migrations'));
try {
  await orm.migrator.up();
  const result = await orm.migrator.create(new URL('../src/db/migrations', import.meta.url).pathname);
  console.log(result.fileName ? `wrote ${result.fileName}` : 'no changes');
  console.log(result.code);
} finally {
  await orm.close();
  await db.stop();
}
