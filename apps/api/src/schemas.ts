import { ENVIRONMENTS, PROJECT_NAME_MAX, PROJECT_SORTS, SLUG_MAX, SLUG_PATTERN, TEST_GATES } from '@ocore/core';
import { z } from 'zod';

/*
 * trpc-to-openapi coerces top-level number/boolean fields of every input
 * with JS semantics ("false" → true). A pipe hides a field from that
 * coercion, so body fields stay strictly typed; query fields that should be
 * parsed from strings say so explicitly.
 */
export const strictBoolean = () => z.boolean().pipe(z.boolean());
export const strictInt = (min: number, max: number) => z.int().min(min).max(max).pipe(z.int());
/**
 * Query values are strings, over REST and over tRPC alike (trpc-to-openapi
 * accepts only string-like query schemas): "true"/"false", "10".
 */
export const queryBoolean = () => z.stringbool({ truthy: ['true', '1'], falsy: ['false', '0'] });
export const queryInt = (min: number, max: number) =>
  z.string().regex(/^\d+$/, 'must be a whole number').transform(Number).pipe(z.int().min(min).max(max));

export const Uuid = z.uuid({ error: 'must be a UUID' });
export const OrgId = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'must be an organization id');
export const Slug = z
  .string()
  .max(SLUG_MAX)
  .regex(SLUG_PATTERN, 'must be lowercase letters, digits and single hyphens');
export const Name = z.string().trim().min(1, 'must not be empty').max(PROJECT_NAME_MAX);
export const Description = z.string().max(4000);
export const TestGate = z.enum(TEST_GATES);
export const Environment = z.enum(ENVIRONMENTS);
export const Version = strictInt(1, 2_147_483_647);

export const Message = z.object({ message: z.string() }).meta({ id: 'Message' });

export const BranchMapping = z
  .object({
    id: z.string(),
    branchPattern: z.string(),
    instanceId: z.string(),
    priority: z.number().int(),
    createdAt: z.string(),
  })
  .meta({ id: 'BranchMapping' });

export const LinkedInstance = z
  .object({ id: z.string(), name: z.string(), slug: z.string() })
  .meta({ id: 'LinkedInstance' });

export const GitRepository = z
  .object({
    id: z.string(),
    provider: z.string(),
    repoUrl: z.string(),
    repoOwner: z.string(),
    repoName: z.string(),
    providerRepoId: z.string().nullable(),
    githubRepoId: z.number().int().nullable(),
    defaultBranch: z.string(),
    visibility: z.string().nullable(),
    authType: z.string(),
    hasAccessToken: z.boolean(),
    hasDeployKey: z.boolean(),
    hasWebhook: z.boolean(),
    deployKeyPublic: z.string().nullable(),
    deployKeyFingerprint: z.string().nullable(),
    deployKeyRegistered: z.boolean(),
    webhookUrl: z.string().nullable(),
    webhookRegistered: z.boolean(),
    pollingEnabled: z.boolean(),
    pollIntervalSeconds: z.number().int(),
    lastPolledAt: z.string().nullable(),
    lastSyncedAt: z.string().nullable(),
    syncStatus: z.string(),
    syncError: z.string().nullable(),
    syncStatusChangedAt: z.string().nullable(),
    providerCapabilities: z.record(z.string(), z.boolean()),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'GitRepository' });

export const ManualSetup = z
  .object({
    deployKey: z.string(),
    webhookUrl: z.string(),
    webhookSecret: z.string(),
    webhookContentType: z.literal('application/json'),
    webhookEvents: z.array(z.string()),
    instructions: z.array(z.string()),
  })
  .meta({
    id: 'ManualSetup',
    description: 'Only when oCore had no token to register the key and webhook itself. The secret is shown this once.',
  });

export const GitRepositoryWithSetup = GitRepository.extend({
  manualSetup: ManualSetup.optional(),
  warnings: z.array(z.string()).optional(),
}).meta({ id: 'GitRepositoryWithSetup' });

export const Project = z
  .object({
    id: z.string(),
    orgId: z.string(),
    name: z.string(),
    slug: z.string(),
    description: z.string(),
    isArchived: z.boolean(),
    isRestricted: z.boolean(),
    testSuiteEnabled: z.boolean(),
    testGateProduction: z.string(),
    testGateStaging: z.string(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
    branchMappings: z.array(BranchMapping),
    linkedInstances: z.array(LinkedInstance),
    instanceCount: z.number().int(),
    gitRepository: GitRepository.nullable(),
  })
  .meta({ id: 'Project' });

export const ProjectList = z
  .object({ projects: z.array(Project), total: z.number().int() })
  .meta({ id: 'ProjectList' });

export const Instance = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    environment: z.string(),
    testCommand: z.string().nullable(),
    restartCommand: z.string().nullable(),
    restartHookUrl: z.string().nullable(),
    version: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: 'Instance' });

export const InstanceList = z
  .object({ instances: z.array(Instance), total: z.number().int() })
  .meta({ id: 'InstanceList' });

export const ListProjectsQuery = z.strictObject({
  include_archived: queryBoolean().optional(),
  limit: queryInt(1, 500).optional(),
  offset: queryInt(0, 1_000_000).optional(),
  sort: z.enum(PROJECT_SORTS).optional(),
  order: z.enum(['asc', 'desc']).optional(),
});

export const PageQuery = {
  limit: queryInt(1, 500).optional(),
  offset: queryInt(0, 1_000_000).optional(),
};

export const DeploymentStep = z
  .object({
    name: z.string(),
    status: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    durationMs: z.number().int().nullable(),
    log: z.string(),
  })
  .meta({ id: 'DeploymentStep' });

export const Deployment = z
  .object({
    id: z.string(),
    projectId: z.string(),
    instanceId: z.string(),
    ref: z.string(),
    refKind: z.string(),
    commitSha: z.string(),
    commitMessage: z.string().nullable(),
    pusher: z.string().nullable(),
    trigger: z.string(),
    deliveryId: z.string().nullable(),
    status: z.string(),
    statusReason: z.string().nullable(),
    attempt: z.number().int(),
    releasePath: z.string().nullable(),
    createdAt: z.string(),
    startedAt: z.string().nullable(),
    finishedAt: z.string().nullable(),
    steps: z.array(DeploymentStep).optional(),
  })
  .meta({ id: 'Deployment' });

/** A shell command an instance runs (tests, restart); bounded so it fits a log line. */
export const Command = z.string().min(1, 'must not be empty').max(2000).nullable();
export const HttpUrl = z.url({ protocol: /^https?$/, error: 'must be an http(s) URL' }).max(500);
