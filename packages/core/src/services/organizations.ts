import type { EntityManager } from '@mikro-orm/postgresql';

/**
 * Tokens name their org; the first call that writes for an org records it.
 * Idempotent and safe under concurrency.
 */
export async function ensureOrganization(em: EntityManager, orgId: string): Promise<void> {
  await em.execute(
    'insert into organizations (id, name, created_at) values (?, ?, now()) on conflict (id) do nothing',
    [orgId, orgId],
  );
}
