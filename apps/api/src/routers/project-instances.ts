import { linkInstance, unlinkInstance } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { Message, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['projects'];

const link = projectRoute({
  permission: 'manage:projects',
  method: 'POST',
  path: '/projects/{id}/instances',
  audit: 'instance.linked',
  summary: 'Link an instance to a project',
  description: 'Associates an Odoo instance with a project for deployment targeting. Linking twice is harmless.',
  tags,
  input: z.strictObject({ id: Uuid, instanceId: Uuid }),
  output: Message,
  run: ({ em, principal }, input) => linkInstance(em, principal, input.id, input.instanceId),
});

const unlink = projectRoute({
  permission: 'manage:projects',
  method: 'DELETE',
  path: '/projects/{id}/instances/{instanceId}',
  audit: 'instance.unlinked',
  summary: 'Unlink an instance from a project',
  description: "Also removes the project's branch mappings that target the instance.",
  tags,
  input: z.strictObject({ id: Uuid, instanceId: Uuid }),
  output: Message,
  run: ({ em, principal }, input) => unlinkInstance(em, principal, input.id, input.instanceId),
});

export const projectInstancesRouter = router({
  link: link.plain,
  linkInOrg: link.inOrg,
  unlink: unlink.plain,
  unlinkInOrg: unlink.inOrg,
});
