import {
  connectRepository,
  disconnectRepository,
  getSyncStatus,
  listRepositoryRefs,
  PROVIDERS,
  reconfigureWebhook,
  regenerateDeployKey,
  requestSync,
  updateRepository,
  validateRepository,
} from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { GitRepository, GitRepositoryWithSetup, strictBoolean, strictInt, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['repository'];
const ById = z.strictObject({ id: Uuid });
const Url = z.string().min(1, 'must not be empty').max(500);
const Token = z.string().min(1, 'must not be empty').max(1000);
const Branch = z.string().min(1).max(255);

const Ref = z
  .object({
    name: z.string(),
    commitSha: z.string(),
    protected: z.boolean().optional(),
    isDefault: z.boolean().optional(),
  })
  .meta({ id: 'GitRef' });

const ValidationReport = z
  .object({
    valid: z.boolean(),
    checks: z.array(
      z.object({
        name: z.enum(['repository_reachable', 'token_scopes', 'deploy_key_present', 'webhook_present']),
        status: z.enum(['pass', 'fail', 'skipped']),
        detail: z.string(),
      }),
    ),
  })
  .meta({ id: 'RepositoryValidation' });

const connect = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/repository',
  audit: 'repository.connected',
  summary: 'Connect a Git repository',
  description: [
    'Accepts the reference body {repoUrl, provider, authType, accessToken, repoOwner, repoName} and the guide body {repositoryUrl, branch, provider}.',
    'provider is inferred from the URL host when omitted. With an access token oCore reads the repository, registers a read-only ed25519 deploy key and creates a push webhook, undoing what it did if a step fails.',
    'Without a token the response has manualSetup: the deploy key, webhook URL and secret to add by hand (the secret is shown only here).',
  ].join(' '),
  tags,
  status: 201,
  input: z.strictObject({
    id: Uuid,
    repoUrl: Url.optional(),
    repositoryUrl: Url.optional(),
    provider: z.enum(PROVIDERS).optional(),
    authType: z.enum(['deploy_key', 'access_token', 'github_app']).optional(),
    accessToken: Token.optional(),
    repoOwner: z.string().min(1).max(255).optional(),
    repoName: z.string().min(1).max(255).optional(),
    branch: Branch.optional(),
    defaultBranch: Branch.optional(),
    pollingEnabled: strictBoolean().optional(),
  }),
  output: GitRepositoryWithSetup,
  run: (ctx, { id, ...input }) => connectRepository(ctx.em, ctx.principal, id, input, ctx.repositories),
});

const disconnect = projectRoute({
  permission: 'manage:projects',
  method: 'DELETE',
  path: '/projects/{id}/repository',
  audit: 'repository.disconnected',
  summary: 'Disconnect Git repository',
  description:
    'Removes the webhook and deploy key on the provider, then the connection. A provider failure does not block the disconnect: it is reported in the X-OCore-Warnings header and retried in the background.',
  tags,
  status: 204,
  input: ById,
  output: z.void(),
  run: async (ctx, input) => {
    const { warnings } = await disconnectRepository(ctx.em, ctx.principal, input.id, ctx.repositories);
    if (warnings.length) ctx.response.headers = { 'x-ocore-warnings': JSON.stringify(warnings) };
  },
});

const update = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/repository',
  audit: 'repository.updated',
  summary: 'Update Git repository settings',
  description:
    'A new repoUrl is validated again (and must be the same repository when oCore holds a token). A new webhookSecret is pushed to the remote webhook.',
  tags,
  input: z.strictObject({
    id: Uuid,
    defaultBranch: Branch.optional(),
    pollingEnabled: strictBoolean().optional(),
    pollIntervalSeconds: strictInt(10, 86_400).optional(),
    repoUrl: Url.optional(),
    webhookSecret: z.string().min(16, 'must be at least 16 characters').max(256).optional(),
    accessToken: z.string().max(1000).optional(),
  }),
  output: GitRepository,
  run: (ctx, { id, ...input }) => updateRepository(ctx.em, ctx.principal, id, input, ctx.repositories),
});

const reconfigure = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/repository/reconfigure-webhook',
  audit: 'repository.webhook_reconfigured',
  summary: 'Reconfigure repository webhook',
  description:
    'Deletes the old webhook on the provider and creates a new one with the current callback URL and a new secret.',
  tags,
  input: ById,
  output: GitRepositoryWithSetup,
  run: (ctx, input) => reconfigureWebhook(ctx.em, ctx.principal, input.id, ctx.repositories),
});

const regenerate = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/repository/regenerate-key',
  audit: 'repository.key_regenerated',
  summary: 'Regenerate deploy key',
  description:
    'Makes a new ed25519 key pair, registers the new key, removes the old one and returns the new public key.',
  tags,
  input: ById,
  output: GitRepositoryWithSetup,
  run: (ctx, input) => regenerateDeployKey(ctx.em, ctx.principal, input.id, ctx.repositories),
});

const validate = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/repository/validate',
  summary: 'Validate repository access',
  description:
    'Changes nothing. Reports, check by check, whether the repository is reachable, the token has the scopes it needs, and the deploy key and webhook are present.',
  tags,
  input: ById,
  output: ValidationReport,
  run: (ctx, input) => validateRepository(ctx.em, ctx.principal, input.id, ctx.repositories),
});

const branches = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/branches',
  summary: 'List repository branches',
  description: 'Every branch from the provider (all pages), with its head commit; the default branch first.',
  tags,
  input: ById,
  output: z.array(Ref),
  run: (ctx, input) => listRepositoryRefs(ctx.em, ctx.principal, input.id, 'branches', ctx.repositories),
});

const tagList = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/tags',
  summary: 'List repository tags',
  description: 'Every tag from the provider (all pages), with its commit.',
  tags,
  input: ById,
  output: z.array(Ref),
  run: (ctx, input) => listRepositoryRefs(ctx.em, ctx.principal, input.id, 'tags', ctx.repositories),
});

const SyncStatus = z
  .object({
    syncStatus: z.enum(['idle', 'queued', 'syncing', 'synced', 'error', 'not_found', 'access_denied']),
    lastSyncedAt: z.string().nullable(),
    syncError: z.string().nullable(),
    syncStatusChangedAt: z.string().nullable(),
  })
  .meta({ id: 'RepositorySyncStatus' });

const sync = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/repository/sync',
  audit: 'repository.sync_requested',
  summary: 'Trigger repository sync',
  description:
    'Queues a metadata sync and answers at once. The sync looks the repository up by its provider id and follows renames, transfers and a new default branch; it recreates a missing webhook or deploy key when the token allows, and reports deletion, archiving and revoked access.',
  tags,
  input: ById,
  output: SyncStatus,
  run: (ctx, input) => requestSync(ctx.em, ctx.principal, input.id, ctx.repositories.boss),
});

const syncStatus = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/repository/sync/status',
  summary: 'Get repository sync status',
  tags,
  input: ById,
  output: SyncStatus,
  run: (ctx, input) => getSyncStatus(ctx.em, ctx.principal, input.id),
});

export const repositoryRouter = router({
  sync: sync.plain,
  syncInOrg: sync.inOrg,
  syncStatus: syncStatus.plain,
  syncStatusInOrg: syncStatus.inOrg,
  connect: connect.plain,
  connectInOrg: connect.inOrg,
  disconnect: disconnect.plain,
  disconnectInOrg: disconnect.inOrg,
  update: update.plain,
  updateInOrg: update.inOrg,
  reconfigureWebhook: reconfigure.plain,
  reconfigureWebhookInOrg: reconfigure.inOrg,
  regenerateKey: regenerate.plain,
  regenerateKeyInOrg: regenerate.inOrg,
  validate: validate.plain,
  validateInOrg: validate.inOrg,
  branches: branches.plain,
  branchesInOrg: branches.inOrg,
  tags: tagList.plain,
  tagsInOrg: tagList.inOrg,
});
