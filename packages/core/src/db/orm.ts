import { Migrator } from '@mikro-orm/migrations';
import { defineConfig, MikroORM, type Options } from '@mikro-orm/postgresql';
import { ALL_ENTITIES } from './entities.ts';
import { MIGRATIONS } from './migrations/index.ts';

export function ormConfig(databaseUrl: string, poolMax = 10): Options {
  return defineConfig({
    clientUrl: databaseUrl,
    entities: ALL_ENTITIES,
    extensions: [Migrator],
    migrations: {
      tableName: 'mikro_orm_migrations',
      path: new URL('./migrations', import.meta.url).pathname,
      migrationsList: MIGRATIONS,
      transactional: true,
      allOrNothing: true,
      silent: true,
      // New migrations are diffed against a database migrated to head (scripts/new-migration.ts), not a snapshot file.
      snapshot: false,
    },
    pool: { max: poolMax },
    debug: false,
  });
}

export async function createOrm(databaseUrl: string, poolMax = 10): Promise<MikroORM> {
  return MikroORM.init(ormConfig(databaseUrl, poolMax));
}

/** Applies every committed migration that has not run yet. */
export async function migrate(orm: MikroORM): Promise<void> {
  await orm.migrator.up();
}

export type { EntityManager } from '@mikro-orm/postgresql';
export { MikroORM };
