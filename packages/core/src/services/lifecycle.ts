import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import { type GitRepository, GitRepositorySchema } from '../db/entities.ts';
import { PROVIDER_LABELS } from '../git/repo-url.ts';
import { QUEUES } from '../jobs.ts';
import type { LifecycleEvent } from '../providers/events.ts';
import { renamedUrl, setSyncStatus } from './sync.ts';

/**
 * Applies a repository lifecycle event the provider pushed (renamed,
 * transferred, archived, deleted…) at once, instead of waiting for the next
 * sync. Returns what changed, for the delivery log.
 */
export async function applyLifecycle(
  em: EntityManager,
  boss: PgBoss,
  repos: GitRepository[],
  event: LifecycleEvent,
): Promise<string> {
  const done: string[] = [];
  for (const repo of repos) {
    if (event.providerRepoId && repo.providerRepoId && event.providerRepoId !== repo.providerRepoId) continue;
    const who = PROVIDER_LABELS[repo.provider];
    switch (event.action) {
      case 'renamed':
      case 'transferred':
        if (event.owner && event.name && (event.owner !== repo.repoOwner || event.name !== repo.repoName)) {
          done.push(`${event.action}: ${repo.repoOwner}/${repo.repoName} → ${event.owner}/${event.name}`);
          repo.repoUrl = renamedUrl(repo, { owner: event.owner, name: event.name });
          repo.repoOwner = event.owner;
          repo.repoName = event.name;
        }
        setSyncStatus(repo, 'synced', null);
        break;
      case 'deleted':
        setSyncStatus(repo, 'not_found', `repository was deleted on ${who}`);
        done.push('deleted');
        break;
      case 'archived':
        setSyncStatus(repo, 'error', `repository is archived on ${who} (read-only)`);
        done.push('archived');
        break;
      case 'unarchived':
        setSyncStatus(repo, 'synced', null);
        done.push('unarchived');
        break;
      case 'updated':
        if (event.defaultBranch && event.defaultBranch !== repo.defaultBranch) {
          done.push(`default branch ${repo.defaultBranch} → ${event.defaultBranch}`);
          repo.defaultBranch = event.defaultBranch;
        }
        // Anything else may have changed: look the repository up again.
        await boss.send(QUEUES.repositorySync, { repositoryId: repo.id }, { singletonKey: repo.id });
        done.push('sync queued');
        break;
    }
    repo.lastSyncedAt = new Date();
  }
  await em.flush();
  return done.length ? done.join('; ') : 'no connected repository affected';
}

/** The connected repositories an instance-wide event (a GitLab system hook) is about. */
export function repositoriesByProviderId(
  em: EntityManager,
  provider: GitRepository['provider'],
  providerRepoId: string,
) {
  return em.find(GitRepositorySchema, { provider, providerRepoId }, { populate: ['project'] });
}
