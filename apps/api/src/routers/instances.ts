import { createInstance, deleteInstance, getInstance, listInstances, updateInstance } from '@ocore/core';
import { z } from 'zod';
import { route } from '../routes.ts';
import {
  Command,
  Environment,
  HttpUrl,
  Instance,
  InstanceList,
  Name,
  PageQuery,
  Slug,
  Uuid,
  Version,
} from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['instances'];
const ById = z.strictObject({ id: Uuid });

export const instancesRouter = router({
  list: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/instances',
    summary: 'List instances',
    tags,
    input: z.strictObject({ ...PageQuery, environment: Environment.optional() }),
    output: InstanceList,
    run: ({ em, principal }, input) =>
      listInstances(em, principal, {
        limit: input.limit ?? 100,
        offset: input.offset ?? 0,
        environment: input.environment,
      }),
  }),
  create: route({
    permission: 'manage:projects',
    method: 'POST',
    path: '/instances',
    summary: 'Create an instance',
    tags,
    status: 201,
    input: z.strictObject({
      name: Name,
      slug: Slug.optional(),
      environment: Environment,
      testCommand: Command.optional(),
      restartCommand: Command.optional(),
      restartHookUrl: HttpUrl.nullable().optional(),
    }),
    output: Instance,
    run: ({ em, principal }, input) => createInstance(em, principal, input),
  }),
  get: route({
    permission: 'view:projects',
    method: 'GET',
    path: '/instances/{id}',
    summary: 'Get an instance',
    tags,
    input: ById,
    output: Instance,
    run: ({ em, principal }, input) => getInstance(em, principal, input.id),
  }),
  update: route({
    permission: 'manage:projects',
    method: 'PUT',
    path: '/instances/{id}',
    summary: 'Update an instance',
    tags,
    input: z.strictObject({
      id: Uuid,
      name: Name.optional(),
      slug: Slug.optional(),
      environment: Environment.optional(),
      testCommand: Command.optional(),
      restartCommand: Command.optional(),
      restartHookUrl: HttpUrl.nullable().optional(),
      version: Version.optional(),
    }),
    output: Instance,
    run: ({ em, principal }, { id, ...patch }) => updateInstance(em, principal, id, patch),
  }),
  delete: route({
    permission: 'manage:projects',
    method: 'DELETE',
    path: '/instances/{id}',
    summary: 'Delete an instance',
    description: 'Also removes its project links and branch mappings.',
    tags,
    status: 204,
    input: ById,
    output: z.void(),
    run: ({ em, principal }, input) => deleteInstance(em, principal, input.id),
  }),
});
