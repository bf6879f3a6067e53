import type { EntityManager } from '@mikro-orm/postgresql';
import { GitRepositorySchema } from '../db/entities.ts';
import type { SecretBox } from './secret-box.ts';

const SEALED_COLUMNS = ['accessTokenSealed', 'deployKeyPrivateSealed', 'webhookSecretSealed'] as const;

/**
 * Re-encrypts every sealed value that is not under the active key. Runs in
 * one transaction; safe to repeat. Returns how many values were re-sealed.
 */
export async function rotateSecrets(em: EntityManager, box: SecretBox): Promise<number> {
  return em.transactional(async (tem) => {
    let count = 0;
    const repos = await tem.find(GitRepositorySchema, {});
    for (const repo of repos) {
      for (const column of SEALED_COLUMNS) {
        const sealed = repo[column];
        if (sealed && box.keyIdOf(sealed) !== box.activeKeyId) {
          repo[column] = box.seal(box.open(sealed));
          count += 1;
        }
      }
    }
    await tem.flush();
    return count;
  });
}
