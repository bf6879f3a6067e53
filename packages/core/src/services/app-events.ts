import type { EntityManager } from '@mikro-orm/postgresql';
import { GithubInstallationSchema, GitRepositorySchema } from '../db/entities.ts';
import type { InstallationEvent } from '../providers/events.ts';
import { setSyncStatus } from './sync.ts';

/**
 * Keeps installation records and the access state of app-connected
 * repositories current: deleted, suspended and unsuspended installations,
 * and repositories added to or removed from an installation.
 */
export async function applyInstallationEvent(em: EntityManager, event: InstallationEvent): Promise<string> {
  const now = new Date();
  const where = { installationId: event.installationId };
  switch (event.action) {
    case 'installation.deleted':
      await em.nativeUpdate(GithubInstallationSchema, { ...where, deletedAt: null }, { deletedAt: now });
      break;
    case 'installation.suspend':
      await em.nativeUpdate(GithubInstallationSchema, where, { suspendedAt: now });
      break;
    case 'installation.unsuspend':
      await em.nativeUpdate(GithubInstallationSchema, where, { suspendedAt: null });
      break;
  }
  const changed: string[] = [];
  if (event.removed.length > 0 || event.added.length > 0) {
    const repos = await em.find(GitRepositorySchema, {
      provider: 'github',
      authType: 'github_app',
      providerRepoId: { $in: [...event.removed, ...event.added] },
    });
    for (const repo of repos) {
      if (event.removed.includes(repo.providerRepoId ?? '')) {
        setSyncStatus(repo, 'access_denied', 'the repository was removed from the GitHub App installation');
        changed.push(`${repo.repoOwner}/${repo.repoName} lost access`);
      } else if (repo.syncStatus === 'access_denied') {
        setSyncStatus(repo, 'synced', null);
        changed.push(`${repo.repoOwner}/${repo.repoName} regained access`);
      }
    }
    await em.flush();
  }
  return [event.action, ...changed].join('; ');
}
