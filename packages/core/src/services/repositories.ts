import { randomBytes } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import type { Principal } from '../auth/permissions.ts';
import { type AuthType, type GitRepository, GitRepositorySchema, type Project, ProjectSchema } from '../db/entities.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { generateDeployKey } from '../git/deploy-key.ts';
import { type ParsedRepoUrl, type ProviderName, parseRepoUrl } from '../git/repo-url.ts';
import type { GithubApp } from '../github-app/app.ts';
import type { Logger } from '../log.ts';
import { apiBaseUrlFor, type ProviderFactory, type ProviderSettings } from '../providers/index.ts';
import type { GitProvider, RemoteRef, RemoteRepository, RepoRef } from '../providers/port.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { branchPatternProblem } from './branch-mappings.ts';
import { isUniqueViolation, withVersionCheck } from './db-errors.ts';
import { findProject } from './projects.ts';
import { providerFailure, type RemoteStep } from './provider-errors.ts';
import { type GitRepositoryView, repositoryView } from './repository-views.ts';

/** Remote leftovers a disconnect could not remove; retried later by the worker. */
export interface RemoteCleanup {
  provider: ProviderName;
  apiBaseUrl: string;
  ref: RepoRef;
  accessTokenSealed: string;
  webhookId?: string;
  deployKeyId?: string;
}

export interface RepositoryDeps {
  boss: PgBoss;
  /** Where mirrors, releases and known_hosts files live. */
  dataDir: string;
  providers: ProviderFactory;
  providerSettings: ProviderSettings;
  secrets: SecretBox;
  /** Public base URL of the webhooks app, e.g. https://hooks.ocore.example */
  webhookBaseUrl: string;
  /** The oCore GitHub App, when configured. */
  githubApp?: GithubApp;
  /** An installation token for a repository owner in an org (GitHub App routing), when the app is configured. */
  installationToken?: (orgId: string, owner: string) => Promise<string>;
  log: Logger;
  scheduleCleanup: (cleanup: RemoteCleanup) => Promise<void>;
}

/** What a user must add by hand when oCore has no token to do it. Shown once. */
export interface ManualSetup {
  deployKey: string;
  webhookUrl: string;
  webhookSecret: string;
  webhookContentType: 'application/json';
  webhookEvents: string[];
  instructions: string[];
}

export type RepositoryWithSetup = GitRepositoryView & { manualSetup?: ManualSetup };

const HOOK_EVENTS: Record<ProviderName, string[]> = {
  github: ['push'],
  gitlab: ['Push events', 'Tag push events'],
  bitbucket: ['repo:push'],
};
const INSTRUCTIONS: Record<ProviderName, string[]> = {
  github: [
    'Repository Settings > Deploy keys > Add deploy key: paste deployKey, leave "Allow write access" off.',
    'Repository Settings > Webhooks > Add webhook: Payload URL = webhookUrl, Content type = application/json, Secret = webhookSecret, event "Just the push event".',
  ],
  gitlab: [
    'Settings > Repository > Deploy keys: add deployKey without write access.',
    'Settings > Webhooks > Add new webhook: URL = webhookUrl, Secret token = webhookSecret, trigger "Push events" and "Tag push events".',
  ],
  bitbucket: [
    'Repository settings > Access keys > Add key: paste deployKey.',
    'Repository settings > Webhooks > Add webhook: URL = webhookUrl, Secret = webhookSecret, trigger "Repository push".',
  ],
};

const newWebhookSecret = () => randomBytes(32).toString('hex');
const webhookUrlFor = (deps: RepositoryDeps, provider: ProviderName, projectId: string) =>
  `${deps.webhookBaseUrl.replace(/\/+$/, '')}/api/webhooks/${provider}/${projectId}`;

async function step<T>(provider: ProviderName, name: RemoteStep, run: () => Promise<T>): Promise<T> {
  try {
    return await run();
  } catch (error) {
    throw providerFailure(provider, name, error);
  }
}

function refOf(repo: GitRepository): RepoRef {
  return { owner: repo.repoOwner, name: repo.repoName, providerRepoId: repo.providerRepoId };
}

/** The provider client for a stored repository, with its token when it has one. */
export type TokenDeps = Pick<RepositoryDeps, 'secrets' | 'installationToken'>;

/** Can oCore call the provider's API for this repository (a stored token, or the GitHub App)? */
export const hasApiAccess = (repo: GitRepository) => Boolean(repo.accessTokenSealed) || repo.authType === 'github_app';

/** The token for API calls and HTTPS fetches: the stored one, or an installation token of the GitHub App. */
export async function apiToken(repo: GitRepository, deps: TokenDeps): Promise<string | undefined> {
  if (repo.authType === 'github_app') {
    if (!deps.installationToken) throw invalid('authType', 'the GitHub App is not configured');
    return deps.installationToken(repo.project.org.id, repo.repoOwner);
  }
  return repo.accessTokenSealed ? deps.secrets.open(repo.accessTokenSealed) : undefined;
}

export async function providerFor(
  repo: GitRepository,
  deps: Pick<RepositoryDeps, 'providers'> & TokenDeps,
): Promise<GitProvider> {
  return deps.providers(repo.provider, { apiBaseUrl: repo.apiBaseUrl, token: await apiToken(repo, deps) });
}

function manualSetup(
  provider: ProviderName,
  deployKey: string,
  webhookUrl: string,
  webhookSecret: string,
): ManualSetup {
  return {
    deployKey,
    webhookUrl,
    webhookSecret,
    webhookContentType: 'application/json',
    webhookEvents: HOOK_EVENTS[provider],
    instructions: INSTRUCTIONS[provider],
  };
}

async function findRepository(em: EntityManager, principal: Principal, projectId: string) {
  const project = await findProject(em, principal, projectId);
  const repo = project.repository;
  if (!repo) throw notFound('repository connection');
  return { project, repo: repo as GitRepository };
}

export interface ConnectInput {
  repoUrl?: string;
  /** The guide's name for repoUrl. */
  repositoryUrl?: string;
  provider?: ProviderName;
  authType?: AuthType;
  accessToken?: string;
  repoOwner?: string;
  repoName?: string;
  /** The guide's default branch. */
  branch?: string;
  defaultBranch?: string;
  pollingEnabled?: boolean;
}

const PUBLIC_HOSTS: Record<ProviderName, string> = {
  github: 'github.com',
  gitlab: 'gitlab.com',
  bitbucket: 'bitbucket.org',
};

function resolveUrl(input: ConnectInput): ParsedRepoUrl {
  const url = input.repoUrl ?? input.repositoryUrl;
  const field = input.repoUrl !== undefined ? 'repoUrl' : 'repositoryUrl';
  if (url === undefined) {
    if (input.repoOwner && input.repoName && input.provider) {
      return parseRepoUrl(
        `https://${PUBLIC_HOSTS[input.provider]}/${input.repoOwner}/${input.repoName}`,
        input.provider,
        'repoOwner',
      );
    }
    throw invalid('repoUrl', 'required (or repositoryUrl, or provider + repoOwner + repoName)');
  }
  const parsed = parseRepoUrl(url, input.provider, field);
  if (input.repoOwner && input.repoOwner.toLowerCase() !== parsed.owner.toLowerCase()) {
    throw invalid('repoOwner', `does not match the URL's owner "${parsed.owner}"`);
  }
  if (input.repoName && input.repoName.toLowerCase() !== parsed.name.toLowerCase()) {
    throw invalid('repoName', `does not match the URL's repository "${parsed.name}"`);
  }
  return parsed;
}

/**
 * Connects a repository. With a token, reads the repository, registers a
 * read-only deploy key and creates a push webhook; if a step fails, the
 * steps already done are undone and nothing is saved. Without a token,
 * returns what the user must add by hand.
 */
export async function connectRepository(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: ConnectInput,
  deps: RepositoryDeps,
): Promise<RepositoryWithSetup> {
  const project = await findProject(em, principal, projectId);
  if (project.repository) throw conflict('the project already has a repository; disconnect it first', 'repoUrl');
  const parsed = resolveUrl(input);
  const token = input.accessToken?.trim() || undefined;
  const authType: AuthType = input.authType ?? (token ? 'access_token' : 'deploy_key');
  if (authType === 'github_app') return connectThroughApp(em, project, parsed, input, deps);
  if (authType === 'access_token' && !token) throw invalid('accessToken', 'required when authType is access_token');
  const requestedBranch = input.defaultBranch ?? input.branch;
  if (requestedBranch !== undefined) {
    const problem = branchPatternProblem(requestedBranch);
    if (problem || /[*?[\]{}]/.test(requestedBranch))
      throw invalid(
        input.defaultBranch !== undefined ? 'defaultBranch' : 'branch',
        problem ?? 'must be a branch name, not a pattern',
      );
  }

  const apiBaseUrl = apiBaseUrlFor(parsed, deps.providerSettings);
  const key = generateDeployKey(`ocore-${project.slug}`);
  const secret = newWebhookSecret();
  const webhookUrl = webhookUrlFor(deps, parsed.provider, project.id);
  const provider = deps.providers(parsed.provider, { apiBaseUrl, token });

  let remote: RemoteRepository | undefined;
  let deployKeyId: string | undefined;
  let webhookId: string | undefined;
  const ref: RepoRef = { owner: parsed.owner, name: parsed.name };
  const undo = async () => {
    const r = { ...ref, providerRepoId: remote?.providerRepoId };
    if (webhookId)
      await provider.deleteWebhook(r, webhookId).catch((e) => deps.log.warn({ err: e }, 'undo: webhook not removed'));
    if (deployKeyId)
      await provider
        .removeDeployKey(r, deployKeyId)
        .catch((e) => deps.log.warn({ err: e }, 'undo: deploy key not removed'));
  };
  if (token) {
    try {
      remote = await step(parsed.provider, 'read repository', () => provider.getRepository(ref));
      const r = { owner: remote.owner, name: remote.name, providerRepoId: remote.providerRepoId };
      deployKeyId = (
        await step(parsed.provider, 'add deploy key', () =>
          provider.addDeployKey(r, `oCore (${project.slug})`, key.publicKey),
        )
      ).id;
      webhookId = (
        await step(parsed.provider, 'create webhook', () => provider.createWebhook(r, { url: webhookUrl, secret }))
      ).id;
    } catch (error) {
      await undo();
      throw error;
    }
  }

  const repo = em.create(GitRepositorySchema, {
    project,
    provider: parsed.provider,
    repoUrl: (input.repoUrl ?? input.repositoryUrl ?? parsed.httpsCloneUrl).trim(),
    host: parsed.host,
    apiBaseUrl,
    repoOwner: remote?.owner ?? parsed.owner,
    repoName: remote?.name ?? parsed.name,
    providerRepoId: remote?.providerRepoId ?? null,
    defaultBranch: requestedBranch ?? remote?.defaultBranch ?? 'main',
    visibility: remote?.visibility ?? null,
    authType,
    accessTokenSealed: token ? deps.secrets.seal(token) : null,
    deployKeyPublic: key.publicKey,
    deployKeyPrivateSealed: deps.secrets.seal(key.privateKey),
    deployKeyFingerprint: key.fingerprint,
    deployKeyRemoteId: deployKeyId ?? null,
    webhookSecretSealed: deps.secrets.seal(secret),
    webhookUrl,
    webhookRemoteId: webhookId ?? null,
    pollingEnabled: input.pollingEnabled ?? false,
    providerCapabilities: { ...provider.capabilities },
    syncStatus: token ? 'synced' : 'idle',
    lastSyncedAt: token ? new Date() : null,
    syncStatusChangedAt: new Date(),
  });
  try {
    await em.flush();
  } catch (error) {
    await undo();
    if (isUniqueViolation(error))
      throw conflict('the project already has a repository; disconnect it first', 'repoUrl');
    throw error;
  }
  const view = repositoryView(repo);
  return token ? view : { ...view, manualSetup: manualSetup(parsed.provider, key.publicKey, webhookUrl, secret) };
}

/**
 * Connects through the GitHub App: the installation on the repository's
 * owner reads it; no deploy key (fetches use installation tokens) and no
 * repository webhook (the app's webhook delivers the pushes).
 */
async function connectThroughApp(
  em: EntityManager,
  project: Project,
  parsed: ParsedRepoUrl,
  input: ConnectInput,
  deps: RepositoryDeps,
): Promise<RepositoryWithSetup> {
  if (parsed.provider !== 'github') throw invalid('authType', 'github_app works with GitHub repositories only');
  if (!deps.installationToken) throw invalid('authType', 'the GitHub App is not configured');
  const apiBaseUrl = apiBaseUrlFor(parsed, deps.providerSettings);
  const token = await deps.installationToken(project.org.id, parsed.owner);
  const provider = deps.providers('github', { apiBaseUrl, token });
  const remote = await step('github', 'read repository', () =>
    provider.getRepository({ owner: parsed.owner, name: parsed.name }),
  );
  const repo = em.create(GitRepositorySchema, {
    project,
    provider: 'github',
    repoUrl: (input.repoUrl ?? input.repositoryUrl ?? parsed.httpsCloneUrl).trim(),
    host: parsed.host,
    apiBaseUrl,
    repoOwner: remote.owner,
    repoName: remote.name,
    providerRepoId: remote.providerRepoId,
    defaultBranch: input.defaultBranch ?? input.branch ?? remote.defaultBranch,
    visibility: remote.visibility,
    authType: 'github_app',
    webhookUrl: `${deps.webhookBaseUrl.replace(/\/+$/, '')}/api/webhooks/github`,
    pollingEnabled: input.pollingEnabled ?? false,
    providerCapabilities: { ...provider.capabilities, checkRuns: true },
    syncStatus: 'synced',
    lastSyncedAt: new Date(),
    syncStatusChangedAt: new Date(),
  });
  try {
    await em.flush();
  } catch (error) {
    if (isUniqueViolation(error))
      throw conflict('the project already has a repository; disconnect it first', 'repoUrl');
    throw error;
  }
  return repositoryView(repo);
}

const appManaged = (repo: GitRepository, what: string) => {
  if (repo.authType === 'github_app')
    throw invalid('authType', `GitHub App connections have no ${what}: the app manages access`);
};

/**
 * Removes the webhook and deploy key on the provider, then the connection.
 * A provider failure does not block the local disconnect: it is logged,
 * returned as a warning and retried later.
 */
export async function disconnectRepository(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  deps: RepositoryDeps,
): Promise<{ warnings: string[] }> {
  const { repo } = await findRepository(em, principal, projectId);
  const warnings = await removeRemoteArtifacts(repo, deps);
  await em.nativeDelete(GitRepositorySchema, { id: repo.id });
  return { warnings };
}

/** Best effort: remove our webhook and deploy key from the provider, scheduling a retry on failure. */
export async function removeRemoteArtifacts(repo: GitRepository, deps: RepositoryDeps): Promise<string[]> {
  if (!repo.accessTokenSealed || (!repo.webhookRemoteId && !repo.deployKeyRemoteId)) return [];
  const provider = await providerFor(repo, deps);
  const ref = refOf(repo);
  const warnings: string[] = [];
  const leftovers: Pick<RemoteCleanup, 'webhookId' | 'deployKeyId'> = {};
  if (repo.webhookRemoteId) {
    try {
      await step(repo.provider, 'delete webhook', () => provider.deleteWebhook(ref, repo.webhookRemoteId ?? ''));
    } catch (error) {
      warnings.push((error as Error).message);
      leftovers.webhookId = repo.webhookRemoteId;
    }
  }
  if (repo.deployKeyRemoteId) {
    try {
      await step(repo.provider, 'remove deploy key', () => provider.removeDeployKey(ref, repo.deployKeyRemoteId ?? ''));
    } catch (error) {
      warnings.push((error as Error).message);
      leftovers.deployKeyId = repo.deployKeyRemoteId;
    }
  }
  if (warnings.length > 0) {
    deps.log.warn({ repositoryId: repo.id, warnings }, 'remote cleanup failed; scheduled a retry');
    await deps.scheduleCleanup({
      provider: repo.provider,
      apiBaseUrl: repo.apiBaseUrl,
      ref,
      accessTokenSealed: repo.accessTokenSealed,
      ...leftovers,
    });
  }
  return warnings;
}

export interface UpdateRepositoryInput {
  defaultBranch?: string;
  pollingEnabled?: boolean;
  pollIntervalSeconds?: number;
  repoUrl?: string;
  webhookSecret?: string;
  accessToken?: string;
}

export async function updateRepository(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: UpdateRepositoryInput,
  deps: RepositoryDeps,
): Promise<GitRepositoryView> {
  const { repo } = await findRepository(em, principal, projectId);
  if (input.accessToken !== undefined) {
    repo.accessTokenSealed = input.accessToken ? deps.secrets.seal(input.accessToken) : null;
    if (!input.accessToken && repo.authType === 'access_token') repo.authType = 'deploy_key';
  }
  const provider = await providerFor(repo, deps);
  if (input.repoUrl !== undefined) {
    const parsed = parseRepoUrl(input.repoUrl, repo.provider);
    if (parsed.provider !== repo.provider)
      throw invalid('repoUrl', `is a ${parsed.provider} URL; this connection is ${repo.provider}`);
    if (repo.accessTokenSealed) {
      const remote = await step(repo.provider, 'read repository', () =>
        provider.getRepository({ owner: parsed.owner, name: parsed.name }),
      );
      if (repo.providerRepoId && remote.providerRepoId !== repo.providerRepoId) {
        throw invalid('repoUrl', 'points at a different repository; disconnect and connect the new one');
      }
      repo.providerRepoId = remote.providerRepoId;
      repo.repoOwner = remote.owner;
      repo.repoName = remote.name;
    } else {
      repo.repoOwner = parsed.owner;
      repo.repoName = parsed.name;
    }
    repo.repoUrl = input.repoUrl.trim();
    repo.host = parsed.host;
    repo.apiBaseUrl = apiBaseUrlFor(parsed, deps.providerSettings);
  }
  if (input.defaultBranch !== undefined) {
    const problem = branchPatternProblem(input.defaultBranch);
    if (problem) throw invalid('defaultBranch', problem);
    repo.defaultBranch = input.defaultBranch;
  }
  if (input.pollingEnabled !== undefined) repo.pollingEnabled = input.pollingEnabled;
  if (input.pollIntervalSeconds !== undefined) repo.pollIntervalSeconds = input.pollIntervalSeconds;
  if (input.webhookSecret !== undefined) {
    if (repo.webhookRemoteId && repo.accessTokenSealed) {
      const spec = {
        url: repo.webhookUrl ?? webhookUrlFor(deps, repo.provider, projectId),
        secret: input.webhookSecret,
      };
      await step(repo.provider, 'update webhook', () =>
        provider.updateWebhook(refOf(repo), repo.webhookRemoteId ?? '', spec),
      );
    }
    repo.webhookSecretSealed = deps.secrets.seal(input.webhookSecret);
  }
  await withVersionCheck('repository', () => em.flush());
  return repositoryView(repo);
}

/** Deletes the old webhook and creates a new one with the current URL and a new secret. */
export async function reconfigureWebhook(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  deps: RepositoryDeps,
): Promise<RepositoryWithSetup> {
  const { repo } = await findRepository(em, principal, projectId);
  appManaged(repo, 'repository webhook');
  const secret = newWebhookSecret();
  const url = webhookUrlFor(deps, repo.provider, projectId);
  if (repo.accessTokenSealed) {
    const provider = await providerFor(repo, deps);
    const ref = refOf(repo);
    if (repo.webhookRemoteId) {
      await step(repo.provider, 'delete webhook', () => provider.deleteWebhook(ref, repo.webhookRemoteId ?? ''));
    }
    repo.webhookRemoteId = null;
    const hook = await step(repo.provider, 'create webhook', () => provider.createWebhook(ref, { url, secret }));
    repo.webhookRemoteId = hook.id;
  }
  repo.webhookUrl = url;
  repo.webhookSecretSealed = deps.secrets.seal(secret);
  await withVersionCheck('repository', () => em.flush());
  const view = repositoryView(repo);
  return repo.accessTokenSealed
    ? view
    : { ...view, manualSetup: manualSetup(repo.provider, repo.deployKeyPublic ?? '', url, secret) };
}

/** Deletes a project, first removing its repository's webhook and deploy key on the provider. */
export async function deleteProjectAndRepository(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  deps: RepositoryDeps,
): Promise<{ warnings: string[] }> {
  const project = await findProject(em, principal, projectId);
  const warnings = project.repository ? await removeRemoteArtifacts(project.repository as GitRepository, deps) : [];
  await em.nativeDelete(ProjectSchema, { id: project.id });
  return { warnings };
}

/** Makes a new key pair, registers it, then removes the old key; returns the new public key. */
export async function regenerateDeployKey(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  deps: RepositoryDeps,
): Promise<RepositoryWithSetup & { warnings?: string[] }> {
  const { project, repo } = await findRepository(em, principal, projectId);
  appManaged(repo, 'deploy key');
  const key = generateDeployKey(`ocore-${(project as Project).slug}`);
  const warnings: string[] = [];
  if (repo.accessTokenSealed) {
    const provider = await providerFor(repo, deps);
    const ref = refOf(repo);
    const added = await step(repo.provider, 'add deploy key', () =>
      provider.addDeployKey(ref, `oCore (${project.slug})`, key.publicKey),
    );
    const old = repo.deployKeyRemoteId;
    repo.deployKeyRemoteId = added.id;
    if (old) {
      try {
        await step(repo.provider, 'remove deploy key', () => provider.removeDeployKey(ref, old));
      } catch (error) {
        warnings.push((error as Error).message);
        await deps.scheduleCleanup({
          provider: repo.provider,
          apiBaseUrl: repo.apiBaseUrl,
          ref,
          accessTokenSealed: repo.accessTokenSealed,
          deployKeyId: old,
        });
      }
    }
  } else {
    repo.deployKeyRemoteId = null;
  }
  repo.deployKeyPublic = key.publicKey;
  repo.deployKeyPrivateSealed = deps.secrets.seal(key.privateKey);
  repo.deployKeyFingerprint = key.fingerprint;
  await withVersionCheck('repository', () => em.flush());
  return { ...repositoryView(repo), ...(warnings.length ? { warnings } : {}) };
}

export interface ValidationCheck {
  name: 'repository_reachable' | 'token_scopes' | 'deploy_key_present' | 'webhook_present';
  status: 'pass' | 'fail' | 'skipped';
  detail: string;
}

export interface ValidationReport {
  valid: boolean;
  checks: ValidationCheck[];
}

/** Checks access without changing anything, check by check. */
export async function validateRepository(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  deps: RepositoryDeps,
): Promise<ValidationReport> {
  const { repo } = await findRepository(em, principal, projectId);
  const provider = await providerFor(repo, deps);
  const ref = refOf(repo);
  const checks: ValidationCheck[] = [];
  const run = async (
    name: ValidationCheck['name'],
    stepName: RemoteStep,
    test: () => Promise<Omit<ValidationCheck, 'name'>>,
  ) => {
    try {
      checks.push({ name, ...(await test()) });
    } catch (error) {
      checks.push({ name, status: 'fail', detail: providerFailure(repo.provider, stepName, error).message });
    }
  };
  await run('repository_reachable', 'read repository', async () => {
    const remote = await provider.getRepository(ref);
    return {
      status: 'pass',
      detail: `${remote.owner}/${remote.name} (${remote.visibility}, default branch ${remote.defaultBranch})`,
    };
  });
  const reachable = checks[0]?.status === 'pass';
  if (repo.authType === 'github_app') {
    const managed = 'managed by the GitHub App installation';
    checks.push({ name: 'token_scopes', status: 'skipped', detail: managed });
    checks.push({
      name: 'deploy_key_present',
      status: 'skipped',
      detail: `no deploy key: fetches use installation tokens (${managed})`,
    });
    checks.push({
      name: 'webhook_present',
      status: 'skipped',
      detail: `pushes arrive through the app's webhook (${managed})`,
    });
    return { valid: reachable, checks };
  }
  if (!repo.accessTokenSealed) {
    const skip = 'no access token: oCore cannot inspect this on the provider; check it in the repository settings';
    checks.push({ name: 'token_scopes', status: 'skipped', detail: 'no access token stored' });
    checks.push({ name: 'deploy_key_present', status: 'skipped', detail: skip });
    checks.push({ name: 'webhook_present', status: 'skipped', detail: skip });
    return { valid: reachable, checks };
  }
  await run('token_scopes', 'check access', async () => {
    const access = await provider.validateAccess(ref);
    if (access.missing.length > 0) return { status: 'fail', detail: `the token lacks: ${access.missing.join(', ')}` };
    const scopes = access.scopes
      ? `scopes: ${access.scopes.join(', ') || '(none)'}`
      : 'the provider does not list token scopes';
    return { status: 'pass', detail: scopes };
  });
  await run('deploy_key_present', 'add deploy key', async () => {
    if (!repo.deployKeyRemoteId)
      return { status: 'fail', detail: 'no deploy key registered by oCore; regenerate the key' };
    const key = await provider.getDeployKey(ref, repo.deployKeyRemoteId);
    if (!key) return { status: 'fail', detail: 'the deploy key was removed on the provider; regenerate the key' };
    const same =
      key.key.split(' ').slice(0, 2).join(' ') === (repo.deployKeyPublic ?? '').split(' ').slice(0, 2).join(' ');
    if (!same) return { status: 'fail', detail: 'the registered key differs from oCore’s; regenerate the key' };
    return {
      status: 'pass',
      detail: `deploy key ${repo.deployKeyFingerprint} is registered${key.readOnly ? ' read-only' : ' (with write access)'}`,
    };
  });
  await run('webhook_present', 'create webhook', async () => {
    if (!repo.webhookRemoteId)
      return { status: 'fail', detail: 'no webhook registered by oCore; reconfigure the webhook' };
    const hook = await provider.getWebhook(ref, repo.webhookRemoteId);
    if (!hook) return { status: 'fail', detail: 'the webhook was deleted on the provider; reconfigure the webhook' };
    if (!hook.active)
      return { status: 'fail', detail: 'the webhook is disabled on the provider; reconfigure the webhook' };
    if (hook.url !== repo.webhookUrl)
      return { status: 'fail', detail: `the webhook points at ${hook.url}, not ${repo.webhookUrl}` };
    return { status: 'pass', detail: `active, sends ${hook.events.join(', ')} to ${hook.url}` };
  });
  return { valid: checks.every((c) => c.status !== 'fail'), checks };
}

export interface RefView {
  name: string;
  commitSha: string;
  protected?: boolean;
  isDefault?: boolean;
}

export async function listRepositoryRefs(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  kind: 'branches' | 'tags',
  deps: RepositoryDeps,
): Promise<RefView[]> {
  const { repo } = await findRepository(em, principal, projectId);
  const provider = await providerFor(repo, deps);
  const refs: RemoteRef[] =
    kind === 'branches'
      ? await step(repo.provider, 'list branches', () => provider.listBranches(refOf(repo)))
      : await step(repo.provider, 'list tags', () => provider.listTags(refOf(repo)));
  const views = refs.map((r) => ({
    name: r.name,
    commitSha: r.sha,
    ...(r.protected !== undefined ? { protected: r.protected } : {}),
    ...(kind === 'branches' ? { isDefault: r.name === repo.defaultBranch } : {}),
  }));
  return views.sort(
    (a, b) => Number(b.isDefault ?? false) - Number(a.isDefault ?? false) || a.name.localeCompare(b.name),
  );
}

/** Retries removing leftovers on the provider; throws (so the job retries) while it still fails. */
export async function runRemoteCleanup(
  cleanup: RemoteCleanup,
  deps: Pick<RepositoryDeps, 'providers' | 'secrets'>,
): Promise<void> {
  const provider = deps.providers(cleanup.provider, {
    apiBaseUrl: cleanup.apiBaseUrl,
    token: deps.secrets.open(cleanup.accessTokenSealed),
  });
  if (cleanup.webhookId) {
    await step(cleanup.provider, 'delete webhook', () => provider.deleteWebhook(cleanup.ref, cleanup.webhookId ?? ''));
  }
  if (cleanup.deployKeyId) {
    await step(cleanup.provider, 'remove deploy key', () =>
      provider.removeDeployKey(cleanup.ref, cleanup.deployKeyId ?? ''),
    );
  }
}
