import { randomUUID } from 'node:crypto';
import { defineEntity, type InferEntity, p } from '@mikro-orm/postgresql';

export const ENVIRONMENTS = ['development', 'staging', 'production'] as const;
export type Environment = (typeof ENVIRONMENTS)[number];
export const TEST_GATES = ['off', 'warn', 'block'] as const;
export type TestGate = (typeof TEST_GATES)[number];

/** A UUID primary key, generated on create. */
const uuidKey = () =>
  p
    .uuid()
    .primary()
    .onCreate(() => randomUUID());

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
    /** Deployment events are POSTed here, signed with HMAC-SHA256 of notificationSecret. */
    notificationUrl: p.string().length(500).nullable(),
    notificationSecretSealed: p.text().nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Organization = InferEntity<typeof OrganizationSchema>;

export const InstanceSchema = defineEntity({
  name: 'Instance',
  tableName: 'instances',
  properties: {
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    environment: p.enum(ENVIRONMENTS),
    /** Run in the release directory before switching to it, when the project's test gate says so. */
    testCommand: p.text().nullable(),
    /** Run after switching releases; or POST to restartHookUrl. */
    restartCommand: p.text().nullable(),
    restartHookUrl: p.string().length(500).nullable(),
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
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    slug: p.string().length(100),
    description: p.text().default(''),
    isArchived: p.boolean().default(false),
    testSuiteEnabled: p.boolean().default(false),
    testGateProduction: p.enum(TEST_GATES).default('block'),
    testGateStaging: p.enum(TEST_GATES).default('warn'),
    /** Restricted: only org owners/admins and principals with an access rule can see it. */
    isRestricted: p.boolean().default(false),
    accessRules: () => p.oneToMany(ProjectAccessRuleSchema).mappedBy('project'),
    /** Free-form JSON configuration, read and merged by path (see services/project-cfg.ts). */
    cfg: p
      .json<Record<string, unknown>>()
      .onCreate(() => ({}))
      .defaultRaw(`'{}'`),
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
    id: uuidKey(),
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
    id: uuidKey(),
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
    /** Polling memory: the branch heads last seen and the provider's validators (ETags) for them. */
    pollState: p.json<{ heads: Record<string, string>; etags: string[] }>().nullable(),
    /** Deliveries refused at this project's webhook URL (bad signature…), for diagnosis. */
    lastRejectedAt: p.datetime().nullable(),
    lastRejectionReason: p.string().length(200).nullable(),
    recentRejections: p.integer().default(0),
    version: p.integer().version(),
    ...timestamps,
  },
  indexes: [{ properties: ['provider', 'repoOwner', 'repoName'] }],
});
export type GitRepository = InferEntity<typeof GitRepositorySchema>;

export const DELIVERY_STATUSES = ['received', 'accepted', 'ignored', 'failed'] as const;
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

/** A verified provider webhook delivery, kept for idempotency, routing and the delivery log. */
export const WebhookDeliverySchema = defineEntity({
  name: 'WebhookDelivery',
  tableName: 'webhook_deliveries',
  properties: {
    id: uuidKey(),
    provider: p.enum(['github', 'gitlab', 'bitbucket'] as const),
    deliveryId: p.string().length(200),
    event: p.string().length(100),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade').nullable(),
    receivedAt: p.datetime().onCreate(() => new Date()),
    headers: p.json<Record<string, string>>(),
    // json, not jsonb: stored as received and never queried inside; cheaper on the ingest path.
    payload: p.json<unknown>().columnType('json'),
    status: p.enum(DELIVERY_STATUSES).default('received'),
    reason: p.text().nullable(),
    ref: p.string().length(300).nullable(),
    processedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['provider', 'deliveryId'] }],
  indexes: [{ properties: ['project', 'receivedAt'] }],
});
export type WebhookDelivery = InferEntity<typeof WebhookDeliverySchema>;

export const DEPLOYMENT_STATUSES = [
  'queued',
  'running',
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  'skipped',
] as const;
export type DeploymentStatus = (typeof DEPLOYMENT_STATUSES)[number];
export const TERMINAL_STATUSES: readonly DeploymentStatus[] = [
  'succeeded',
  'failed',
  'cancelled',
  'superseded',
  'skipped',
];
export const DEPLOYMENT_TRIGGERS = ['webhook', 'manual', 'poll'] as const;
export type DeploymentTrigger = (typeof DEPLOYMENT_TRIGGERS)[number];

export const DeploymentSchema = defineEntity({
  name: 'Deployment',
  tableName: 'deployments',
  properties: {
    id: uuidKey(),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    instance: () => p.manyToOne(InstanceSchema).deleteRule('cascade'),
    ref: p.string().length(300),
    refKind: p.enum(['branch', 'tag', 'commit'] as const),
    commitSha: p.string().length(64),
    commitMessage: p.text().nullable(),
    pusher: p.string().length(255).nullable(),
    trigger: p.enum(DEPLOYMENT_TRIGGERS),
    deliveryId: p.string().length(200).nullable(),
    /** `<instance>:<sha>` for automatic deployments: the same commit never deploys twice to an instance. */
    dedupeKey: p.string().length(200).nullable().unique(),
    status: p.enum(DEPLOYMENT_STATUSES).default('queued'),
    statusReason: p.text().nullable(),
    attempt: p.integer().default(0),
    /** The GitHub check run reporting this deployment (GitHub App connections). */
    checkRunId: p.string().length(50).nullable(),
    releasePath: p.string().length(1000).nullable(),
    createdAt: p.datetime().onCreate(() => new Date()),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    steps: () => p.oneToMany(DeploymentStepSchema).mappedBy('deployment'),
  },
  indexes: [{ properties: ['project', 'createdAt'] }, { properties: ['instance', 'status'] }],
});
export type Deployment = InferEntity<typeof DeploymentSchema>;

export const STEP_NAMES = ['fetch', 'build', 'test', 'push', 'restart'] as const;
export type StepName = (typeof STEP_NAMES)[number];
export const STEP_STATUSES = ['pending', 'running', 'succeeded', 'failed', 'skipped', 'warning', 'cancelled'] as const;
export type StepStatus = (typeof STEP_STATUSES)[number];

export const DeploymentStepSchema = defineEntity({
  name: 'DeploymentStep',
  tableName: 'deployment_steps',
  properties: {
    id: uuidKey(),
    deployment: () => p.manyToOne(DeploymentSchema).deleteRule('cascade'),
    name: p.enum(STEP_NAMES),
    position: p.integer(),
    status: p.enum(STEP_STATUSES).default('pending'),
    startedAt: p.datetime().nullable(),
    finishedAt: p.datetime().nullable(),
    log: p.text().default(''),
  },
  uniques: [{ properties: ['deployment', 'name'] }],
});
export type DeploymentStep = InferEntity<typeof DeploymentStepSchema>;

export const NotificationSchema = defineEntity({
  name: 'Notification',
  tableName: 'notifications',
  properties: {
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    event: p.enum(['deployment.started', 'deployment.succeeded', 'deployment.failed'] as const),
    deployment: () => p.manyToOne(DeploymentSchema).deleteRule('cascade'),
    payload: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
    deliveredAt: p.datetime().nullable(),
    responseStatus: p.integer().nullable(),
    error: p.text().nullable(),
  },
  indexes: [{ properties: ['org', 'createdAt'] }],
});
export type Notification = InferEntity<typeof NotificationSchema>;

export const ROLES = ['owner', 'admin', 'developer', 'viewer'] as const;
export type Role = (typeof ROLES)[number];

/** A person, known by the identity provider's subject (`sub`). */
export const UserSchema = defineEntity({
  name: 'User',
  tableName: 'users',
  properties: {
    id: p.string().length(255).primary(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type User = InferEntity<typeof UserSchema>;

/** A person (the token's `sub`) in an organization, with one role there. */
export const MembershipSchema = defineEntity({
  name: 'Membership',
  tableName: 'memberships',
  properties: {
    org: () => p.manyToOne(OrganizationSchema).primary().deleteRule('cascade'),
    userId: p.string().length(255).primary(),
    role: p.enum(ROLES),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
});
export type Membership = InferEntity<typeof MembershipSchema>;

export const TeamSchema = defineEntity({
  name: 'Team',
  tableName: 'teams',
  properties: {
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    name: p.string().length(200),
    createdAt: p.datetime().onCreate(() => new Date()),
    members: () => p.oneToMany(TeamMemberSchema).mappedBy('team'),
  },
  uniques: [{ properties: ['org', 'name'] }],
});
export type Team = InferEntity<typeof TeamSchema>;

export const TeamMemberSchema = defineEntity({
  name: 'TeamMember',
  tableName: 'team_members',
  properties: {
    team: () => p.manyToOne(TeamSchema).primary().deleteRule('cascade'),
    userId: p.string().length(255).primary(),
  },
});
export type TeamMember = InferEntity<typeof TeamMemberSchema>;

export const ACCESS_LEVELS = ['READER', 'WRITER', 'OWNER'] as const;
export type AccessLevel = (typeof ACCESS_LEVELS)[number];

/** Who may do what on a restricted project: a team or a user, at one level. */
export const ProjectAccessRuleSchema = defineEntity({
  name: 'ProjectAccessRule',
  tableName: 'project_access_rules',
  properties: {
    id: uuidKey(),
    project: () => p.manyToOne(ProjectSchema).deleteRule('cascade'),
    team: () => p.manyToOne(TeamSchema).deleteRule('cascade').nullable(),
    userId: p.string().length(255).nullable(),
    level: p.enum(ACCESS_LEVELS),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  uniques: [{ properties: ['project', 'team'] }, { properties: ['project', 'userId'] }],
});
export type ProjectAccessRule = InferEntity<typeof ProjectAccessRuleSchema>;

/** The oCore GitHub App installed on a GitHub account (user or organization), linked to an org. */
export const GithubInstallationSchema = defineEntity({
  name: 'GithubInstallation',
  tableName: 'github_installations',
  properties: {
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    installationId: p.bigint('number'),
    accountLogin: p.string().length(255),
    accountType: p.enum(['user', 'organization'] as const),
    createdAt: p.datetime().onCreate(() => new Date()),
    suspendedAt: p.datetime().nullable(),
    /** Soft delete: removed from oCore (the app may still be installed on GitHub). */
    deletedAt: p.datetime().nullable(),
  },
  uniques: [{ properties: ['org', 'installationId'] }],
});
export type GithubInstallation = InferEntity<typeof GithubInstallationSchema>;

/** Who did what to a project, and when. Kept when the project is deleted. */
export const AuditEventSchema = defineEntity({
  name: 'AuditEvent',
  tableName: 'audit_events',
  properties: {
    id: uuidKey(),
    org: () => p.manyToOne(OrganizationSchema).deleteRule('cascade'),
    projectId: p.uuid().index(),
    actor: p.string().length(255),
    action: p.string().length(100),
    details: p.json<Record<string, unknown>>(),
    createdAt: p.datetime().onCreate(() => new Date()),
  },
  indexes: [{ properties: ['projectId', 'createdAt'] }, { properties: ['org', 'createdAt'] }],
});
export type AuditEvent = InferEntity<typeof AuditEventSchema>;

export const ALL_ENTITIES = [
  GithubInstallationSchema,
  UserSchema,
  MembershipSchema,
  TeamSchema,
  TeamMemberSchema,
  ProjectAccessRuleSchema,
  AuditEventSchema,
  WebhookDeliverySchema,
  DeploymentSchema,
  DeploymentStepSchema,
  NotificationSchema,
  GitRepositorySchema,
  OrganizationSchema,
  InstanceSchema,
  ProjectSchema,
  ProjectInstanceSchema,
  BranchMappingSchema,
];
