import { invalid, listBranchMappings, replaceBranchMappings } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { BranchMapping, strictInt, Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['branch-mappings'];
const Pattern = z.string().min(1, 'must not be empty').max(255);
const Priority = strictInt(0, 10_000);

const list = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/branch-mappings',
  summary: 'List branch mappings',
  description: 'In routing order: lowest priority first.',
  tags,
  input: z.strictObject({ id: Uuid }),
  output: z.array(BranchMapping),
  run: ({ em, principal }, input) => listBranchMappings(em, principal, input.id),
});

const set = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/branch-mappings',
  audit: 'branch_mappings.updated',
  summary: 'Set branch mappings',
  description: [
    '`{mappings: [...]}` replaces all mappings of the project.',
    "`{branch, environmentId, priority?}` (the guide's form) sets the mapping of that one branch and keeps the others.",
    'Patterns are exact names or globs (`release/*`, `feature/**`).',
    'Mapping to an instance of the org that is not linked to the project links it.',
  ].join(' '),
  tags,
  input: z.strictObject({
    id: Uuid,
    mappings: z
      .array(z.strictObject({ branchPattern: Pattern, instanceId: Uuid, priority: Priority.optional() }))
      .max(200)
      .optional(),
    branch: Pattern.optional(),
    environmentId: Uuid.optional(),
    priority: Priority.optional(),
  }),
  output: z.array(BranchMapping),
  run: ({ em, principal }, input) => {
    if (input.mappings) {
      if (input.branch !== undefined || input.environmentId !== undefined) {
        throw invalid('mappings', 'send either mappings or branch + environmentId, not both');
      }
      const mappings = input.mappings.map((m) => ({ ...m, priority: m.priority ?? 0 }));
      return replaceBranchMappings(em, principal, input.id, mappings);
    }
    if (input.branch === undefined) throw invalid('mappings', 'required (or branch + environmentId)');
    if (input.environmentId === undefined) throw invalid('environmentId', 'required with branch');
    const single = { branchPattern: input.branch, instanceId: input.environmentId, priority: input.priority ?? 0 };
    return replaceBranchMappings(em, principal, input.id, [single], { onlyPatterns: true });
  },
});

export const branchMappingsRouter = router({
  list: list.plain,
  listInOrg: list.inOrg,
  set: set.plain,
  setInOrg: set.inOrg,
});
