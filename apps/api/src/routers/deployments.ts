import {
  cancelDeployment,
  createManualDeployment,
  DEPLOYMENT_STATUSES,
  getDeployment,
  listDeployments,
  redeploy,
} from '@ocore/core';
import { z } from 'zod';
import { projectRoute, route } from '../routes.ts';
import { Deployment, PageQuery, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['deployments'];
const Sha = z.string().regex(/^[0-9a-fA-F]{40}$/, 'must be a full 40-character commit SHA');
const RefName = z.string().min(1).max(255);

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/deployments',
  summary: 'List deployments',
  description: 'Newest first; filter by status and instance.',
  tags,
  input: z.strictObject({
    id: Uuid,
    ...PageQuery,
    status: z.enum(DEPLOYMENT_STATUSES).optional(),
    instanceId: Uuid.optional(),
  }),
  output: z.object({ deployments: z.array(Deployment), total: z.number().int() }).meta({ id: 'DeploymentList' }),
  run: (ctx, input) =>
    listDeployments(ctx.em, ctx.principal, input.id, {
      limit: input.limit ?? 50,
      offset: input.offset ?? 0,
      status: input.status,
      instanceId: input.instanceId,
    }),
});

const create = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/deployments',
  audit: 'deployment.created',
  summary: 'Deploy manually',
  description:
    'Deploys the head of a branch (resolved on the remote), a tag, or an exact commit to an instance linked to the project.',
  tags,
  status: 201,
  input: z.strictObject({
    id: Uuid,
    instanceId: Uuid,
    branch: RefName.optional(),
    tag: RefName.optional(),
    commitSha: Sha.optional(),
  }),
  output: Deployment,
  run: (ctx, { id, ...input }) => createManualDeployment(ctx.em, ctx.principal, id, input, ctx.repositories),
});

export const deploymentsRouter = router({
  list: list.plain,
  listInOrg: list.inOrg,
  create: create.plain,
  createInOrg: create.inOrg,
  get: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/deployments/{id}',
    projectFrom: 'deployment',
    summary: 'Get a deployment',
    description: 'With each step: status, timing and its (bounded, redacted) log.',
    tags,
    input: z.strictObject({ id: Uuid }),
    output: Deployment,
    run: (ctx, input) => getDeployment(ctx.em, ctx.principal, input.id),
  }),
  cancel: route({
    permission: 'manage:projects',
    method: 'POST',
    path: '/deployments/{id}/cancel',
    projectFrom: 'deployment',
    audit: 'deployment.cancelled',
    summary: 'Cancel a deployment',
    description: 'A queued deployment never starts; a running one stops before its next step.',
    tags,
    input: z.strictObject({ id: Uuid }),
    output: Deployment,
    run: (ctx, input) => cancelDeployment(ctx.em, ctx.principal, input.id),
  }),
  redeploy: route({
    permission: 'manage:projects',
    method: 'POST',
    path: '/deployments/{id}/redeploy',
    projectFrom: 'deployment',
    audit: 'deployment.redeployed',
    summary: 'Redeploy',
    description: 'Deploys the same commit to the same instance again.',
    tags,
    status: 201,
    input: z.strictObject({ id: Uuid }),
    output: Deployment,
    run: (ctx, input) => redeploy(ctx.em, ctx.principal, input.id, ctx.repositories),
  }),
});
