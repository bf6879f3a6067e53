import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const TEST_GATES = ['off', 'warn', 'block'] as const;
export type TestGate = (typeof TEST_GATES)[number];

const timestamps = {
  createdAt: p.datetime().onCreate(() => new Date()),
  updatedAt: p
    .datetime()
    .onCreate(() => new Date())
    .onUpdate(() => new Date()),
};

export const OrganizationSchema = defineEntity({
  name: 'Organization',
  tableName: 'organizations',
  properties: {
    id: p.string().length(64).primary(),
    name: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Organization = InferEntity<typeof OrganizationSchema>;

export const InstanceSchema = defineEntity({
  name: 'Instance',
  tableName: 'instances',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    environment: p.enum(ENVIRONMENTS),
    version: p.integer().version(),
    ...timestamps,
  },
  uniques: [{ properties: ['org', 'slug'] }],
});
export type Instance = InferEntity<typeof InstanceSchema>;

export const ProjectSchema = defineEntity({
  name: 'Project',
  tableName: 'projects',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    description: p.text().default(''),
    isArchived: p.boolean().default(false),
    testSuiteEnabled: p.boolean().default(false),
    testGateProduction: p.enum(TEST_GATES).default('block'),
    testGateStaging: p.enum(TEST_GATES).default('warn'),
    version: p.integer().version(),
    ...timestamps,
    instanceLinks: () => p.oneToMany(ProjectInstanceSchema).mappedBy('project'),
    branchMappings: () => p.oneToMany(BranchMappingSchema).mappedBy('project'),
    repository: () => p.oneToOne(GitRepositorySchema).mappedBy('project').nullable(),
  },
  uniques: [{ properties: ['org', 'slug'] }],
  indexes: [{ properties: ['org', 'isArchived', 'name'] }],
});
export type Project = InferEntity<typeof ProjectSchema>;

export const ProjectInstanceSchema = defineEntity({
  name: 'ProjectInstance',
  tableName: 'project_instances',
  properties: {
    project: () => p.manyToOne(ProjectSchema).primary().deleteRule('cascade'),
    instance: () => p.manyToOne(InstanceSchema).primary().deleteRule('cascade'),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type ProjectInstance = InferEntity<typeof ProjectInstanceSchema>;

export const BranchMappingSchema = defineEntity({
  name: 'BranchMapping',
  tableName: 'branch_mappings',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    branchPattern: p.string().length(255),
    instance: () => p.manyToOne(InstanceSchema).deleteRule('cascade'),
    priority: p.integer().default(0),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['project', 'branchPattern', 'instance'] }],
});
export type BranchMapping = InferEntity<typeof BranchMappingSchema>;

export const AUTH_TYPES = ['deploy_key', 'access_token', 'github_app'] as const;
export type AuthType = (typeof AUTH_TYPES)[number];
export const SYNC_STATUSES = ['idle', 'queued', 'syncing', 'synced', 'error', 'not_found', 'access_denied'] as const;
export type SyncStatus = (typeof SYNC_STATUSES)[number];

/**
 * A project's connected repository. Columns ending in `Sealed` hold
 * AES-256-GCM ciphertext (see secrets/secret-box.ts), never plaintext.
 */
export const GitRepositorySchema = defineEntity({
  name: 'GitRepository',
  tableName: 'git_repositories',
  properties: {
    id: p
      .uuid()
      .primary()
      .onCreate(() => randomUUID()),
    project: () => p.oneToOne(ProjectSchema).owner().unique().deleteRule('cascade'),
    provider: p.enum(['github', 'gitlab', 'bitbucket'] as const),
    repoUrl: p.string().length(500),
    host: p.string().length(255),
    apiBaseUrl: p.string().length(500),
    repoOwner: p.string().length(255),
    repoName: p.string().length(255),
    providerRepoId: p.string().length(100).nullable().index(),
    defaultBranch: p.string().length(255),
    visibility: p.string().length(20).nullable(),
    authType: p.enum(AUTH_TYPES),
    accessTokenSealed: p.text().nullable(),
    deployKeyPublic: p.text().nullable(),
    deployKeyPrivateSealed: p.text().nullable(),
    deployKeyFingerprint: p.string().length(100).nullable(),
    deployKeyRemoteId: p.string().length(100).nullable(),
    webhookSecretSealed: p.text().nullable(),
    webhookUrl: p.string().length(500).nullable(),
    webhookRemoteId: p.string().length(100).nullable(),
    pollingEnabled: p.boolean().default(false),
    pollIntervalSeconds: p.integer().default(60),
    lastPolledAt: p.datetime().nullable(),
    lastSyncedAt: p.datetime().nullable(),
    syncStatus: p.enum(SYNC_STATUSES).default('idle'),
    syncError: p.text().nullable(),
    syncStatusChangedAt: p.datetime().nullable(),
    providerCapabilities: p.json<Record<string, boolean>>(),
    version: p.integer().version(),
    ...timestamps,
  },
  indexes: [{ properties: ['provider', 'repoOwner', 'repoName'] }],
});
export type GitRepository = InferEntity<typeof GitRepositorySchema>;

export const ALL_ENTITIES = [
  GitRepositorySchema,
  OrganizationSchema,
  InstanceSchema,
  ProjectSchema,
  ProjectInstanceSchema,
  BranchMappingSchema,
];
