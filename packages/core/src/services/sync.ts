import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import type { Principal } from '../auth/permissions.ts';
import { type GitRepository, GitRepositorySchema, type SyncStatus } from '../db/entities.ts';
import { notFound } from '../errors.ts';
import { PROVIDER_LABELS, parseRepoUrl } from '../git/repo-url.ts';
import { QUEUES } from '../jobs.ts';
import type { Logger } from '../log.ts';
import { ProviderError } from '../providers/errors.ts';
import type { RemoteRepository } from '../providers/port.ts';
import { findProject } from './projects.ts';
import { providerFor, type RepositoryDeps } from './repositories.ts';

export interface SyncStatusView {
  syncStatus: SyncStatus;
  lastSyncedAt: string | null;
  syncError: string | null;
  syncStatusChangedAt: string | null;
}

const statusView = (repo: GitRepository): SyncStatusView => ({
  syncStatus: repo.syncStatus,
  lastSyncedAt: repo.lastSyncedAt ? repo.lastSyncedAt.toISOString() : null,
  syncError: repo.syncError ?? null,
  syncStatusChangedAt: repo.syncStatusChangedAt ? repo.syncStatusChangedAt.toISOString() : null,
});

/** Sets the sync status, noting when it changed. */
export function setSyncStatus(repo: GitRepository, status: SyncStatus, error: string | null): void {
  if (repo.syncStatus !== status) repo.syncStatusChangedAt = new Date();
  repo.syncStatus = status;
  repo.syncError = error;
}

async function repositoryOf(em: EntityManager, principal: Principal, projectId: string): Promise<GitRepository> {
  const project = await findProject(em, principal, projectId);
  if (!project.repository) throw notFound('repository connection');
  return project.repository as GitRepository;
}

export async function getSyncStatus(em: EntityManager, principal: Principal, projectId: string) {
  return statusView(await repositoryOf(em, principal, projectId));
}

/** Queues a metadata sync and answers at once. */
export async function requestSync(em: EntityManager, principal: Principal, projectId: string, boss: PgBoss) {
  const repo = await repositoryOf(em, principal, projectId);
  if (repo.syncStatus !== 'syncing') setSyncStatus(repo, 'queued', repo.syncError ?? null);
  await em.flush();
  await boss.send(QUEUES.repositorySync, { repositoryId: repo.id }, { singletonKey: repo.id });
  return statusView(repo);
}

/** The URL in the same form the user gave (SSH or HTTPS), for the repository's new owner/name. */
export function renamedUrl(repo: GitRepository, remote: Pick<RemoteRepository, 'owner' | 'name'>): string {
  if (repo.repoUrl.startsWith('file://')) return repo.repoUrl;
  const parsed = parseRepoUrl(repo.repoUrl, repo.provider);
  const path = `${remote.owner}/${remote.name}`;
  if (/^https?:\/\//.test(repo.repoUrl))
    return `${parsed.webScheme}://${parsed.host}${parsed.webPort ? `:${parsed.webPort}` : ''}/${path}.git`;
  if (repo.repoUrl.startsWith('ssh://')) return parsed.sshCloneUrl.replace(`${parsed.fullName}.git`, `${path}.git`);
  return `git@${parsed.host}:${path}.git`;
}

export interface SyncOutcome {
  status: SyncStatus;
  changes: string[];
}

/**
 * Looks the repository up by its provider id (not its name) and brings the
 * connection up to date: follows renames and transfers, a new default
 * branch, and heals a missing or disabled webhook or deploy key when the
 * token allows. What it cannot heal becomes a clear syncStatus + syncError.
 */
export async function syncRepository(
  em: EntityManager,
  repositoryId: string,
  deps: Pick<RepositoryDeps, 'providers' | 'secrets' | 'webhookBaseUrl'> & { log: Logger },
): Promise<SyncOutcome | null> {
  const repo = await em.findOne(GitRepositorySchema, { id: repositoryId }, { populate: ['project'] });
  if (!repo) return null;
  setSyncStatus(repo, 'syncing', repo.syncError ?? null);
  await em.flush();
  const who = PROVIDER_LABELS[repo.provider];
  const provider = await providerFor(repo, deps);
  const changes: string[] = [];
  let remote: RemoteRepository;
  try {
    remote = await provider.getRepository({
      owner: repo.repoOwner,
      name: repo.repoName,
      providerRepoId: repo.providerRepoId,
    });
  } catch (error) {
    const status = error instanceof ProviderError ? error.status : 0;
    if (status === 404) {
      setSyncStatus(
        repo,
        'not_found',
        repo.accessTokenSealed
          ? `repository was deleted on ${who}, or this token can no longer see it`
          : `repository not found on ${who} (private repositories need an access token to be checked)`,
      );
    } else if (status === 401 || status === 403) {
      setSyncStatus(
        repo,
        'access_denied',
        `${who} refused the access token (${status}): it was revoked, expired or lost its scopes`,
      );
    } else {
      setSyncStatus(repo, 'error', `${who} could not be reached: ${(error as Error).message}`);
    }
    repo.lastSyncedAt = new Date();
    await em.flush();
    return { status: repo.syncStatus, changes };
  }

  if (repo.providerRepoId && remote.providerRepoId !== repo.providerRepoId) {
    setSyncStatus(
      repo,
      'not_found',
      `the repository at ${repo.repoOwner}/${repo.repoName} is a different repository now; the original was deleted or moved`,
    );
    repo.lastSyncedAt = new Date();
    await em.flush();
    return { status: repo.syncStatus, changes };
  }
  repo.providerRepoId = remote.providerRepoId;
  if (remote.owner !== repo.repoOwner) changes.push(`transferred from ${repo.repoOwner} to ${remote.owner}`);
  if (remote.name !== repo.repoName) changes.push(`renamed from ${repo.repoName} to ${remote.name}`);
  if (remote.owner !== repo.repoOwner || remote.name !== repo.repoName) {
    repo.repoUrl = renamedUrl(repo, remote);
    repo.repoOwner = remote.owner;
    repo.repoName = remote.name;
  }
  if (remote.defaultBranch !== repo.defaultBranch) {
    changes.push(`default branch changed from ${repo.defaultBranch} to ${remote.defaultBranch}`);
    repo.defaultBranch = remote.defaultBranch;
  }
  repo.visibility = remote.visibility;
  const problems: string[] = [];
  const ref = { owner: remote.owner, name: remote.name, providerRepoId: remote.providerRepoId };
  if (repo.accessTokenSealed) {
    try {
      const hook = repo.webhookRemoteId ? await provider.getWebhook(ref, repo.webhookRemoteId) : null;
      const url =
        repo.webhookUrl ??
        `${deps.webhookBaseUrl.replace(/\/+$/, '')}/api/webhooks/${repo.provider}/${repo.project.id}`;
      if (repo.webhookRemoteId && (!hook?.active || hook.url !== url)) {
        const secret = repo.webhookSecretSealed ? deps.secrets.open(repo.webhookSecretSealed) : '';
        if (hook) await provider.updateWebhook(ref, hook.id, { url, secret });
        else repo.webhookRemoteId = (await provider.createWebhook(ref, { url, secret })).id;
        changes.push(hook ? 'webhook re-enabled' : 'webhook was missing on the provider; recreated');
      }
    } catch (error) {
      problems.push(`webhook could not be checked or recreated: ${(error as Error).message}`);
    }
    try {
      if (
        repo.deployKeyRemoteId &&
        repo.deployKeyPublic &&
        !(await provider.getDeployKey(ref, repo.deployKeyRemoteId))
      ) {
        repo.deployKeyRemoteId = (
          await provider.addDeployKey(ref, `oCore (${repo.project.slug})`, repo.deployKeyPublic)
        ).id;
        changes.push('deploy key was removed on the provider; registered again');
      }
    } catch (error) {
      problems.push(`deploy key could not be checked or registered again: ${(error as Error).message}`);
    }
  }
  if (remote.archived) problems.unshift(`repository is archived on ${who} (read-only)`);
  setSyncStatus(repo, problems.length ? 'error' : 'synced', problems.length ? problems.join('; ') : null);
  repo.lastSyncedAt = new Date();
  await em.flush();
  if (changes.length) deps.log.info({ repositoryId, changes }, 'repository sync applied changes');
  return { status: repo.syncStatus, changes };
}

/** Enqueues a sync of every connected repository, spread evenly over the interval. */
export async function scheduleAllSyncs(em: EntityManager, boss: PgBoss, intervalSeconds: number): Promise<number> {
  const rows: Array<{ id: string }> = await em.execute('select id from git_repositories order by id');
  const spacing = rows.length > 0 ? intervalSeconds / rows.length : 0;
  for (const [i, row] of rows.entries()) {
    await boss.send(
      QUEUES.repositorySync,
      { repositoryId: row.id },
      { singletonKey: row.id, startAfter: Math.floor(i * spacing) },
    );
  }
  return rows.length;
}
