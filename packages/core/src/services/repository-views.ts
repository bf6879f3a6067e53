import type { GitRepository } from '../db/entities.ts';
import { isoOrNull } from './views.ts';

/** A connected repository as the API shows it: the reference's fields, never a secret. */
export interface GitRepositoryView {
  id: string;
  provider: string;
  repoUrl: string;
  repoOwner: string;
  repoName: string;
  providerRepoId: string | null;
  githubRepoId: number | null;
  defaultBranch: string;
  visibility: string | null;
  authType: string;
  hasAccessToken: boolean;
  hasDeployKey: boolean;
  hasWebhook: boolean;
  deployKeyPublic: string | null;
  deployKeyFingerprint: string | null;
  deployKeyRegistered: boolean;
  webhookUrl: string | null;
  webhookRegistered: boolean;
  pollingEnabled: boolean;
  pollIntervalSeconds: number;
  lastPolledAt: string | null;
  lastSyncedAt: string | null;
  syncStatus: string;
  syncError: string | null;
  syncStatusChangedAt: string | null;
  providerCapabilities: Record<string, boolean>;
  createdAt: string;
  updatedAt: string;
}

export function repositoryView(repo: GitRepository): GitRepositoryView {
  return {
    id: repo.id,
    provider: repo.provider,
    repoUrl: repo.repoUrl,
    repoOwner: repo.repoOwner,
    repoName: repo.repoName,
    providerRepoId: repo.providerRepoId ?? null,
    githubRepoId: repo.provider === 'github' && repo.providerRepoId ? Number(repo.providerRepoId) : null,
    defaultBranch: repo.defaultBranch,
    visibility: repo.visibility ?? null,
    authType: repo.authType,
    hasAccessToken: Boolean(repo.accessTokenSealed),
    hasDeployKey: Boolean(repo.deployKeyPublic),
    hasWebhook: Boolean(repo.webhookSecretSealed),
    deployKeyPublic: repo.deployKeyPublic ?? null,
    deployKeyFingerprint: repo.deployKeyFingerprint ?? null,
    deployKeyRegistered: Boolean(repo.deployKeyRemoteId),
    webhookUrl: repo.webhookUrl ?? null,
    webhookRegistered: Boolean(repo.webhookRemoteId),
    pollingEnabled: repo.pollingEnabled,
    pollIntervalSeconds: repo.pollIntervalSeconds,
    lastPolledAt: isoOrNull(repo.lastPolledAt),
    lastSyncedAt: isoOrNull(repo.lastSyncedAt),
    syncStatus: repo.syncStatus,
    syncError: repo.syncError ?? null,
    syncStatusChangedAt: isoOrNull(repo.syncStatusChangedAt),
    providerCapabilities: repo.providerCapabilities,
    createdAt: repo.createdAt.toISOString(),
    updatedAt: repo.updatedAt.toISOString(),
  };
}
