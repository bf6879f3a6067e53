import { getProjectCfg, mergeProjectCfg } from '@ocore/core';
import { z } from 'zod';
import { projectRoute } from '../routes.ts';
import { Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['projects'];
const CfgPath = z.string().min(1).max(500);
const Cfg = z.unknown().meta({ id: 'ProjectCfg', description: 'JSON value' });

/** REST path parameters arrive still URL-encoded (`odoo%2Fworkers`). */
const decoded = (path: string) => {
  try {
    return decodeURIComponent(path);
  } catch {
    return path;
  }
};

/** The request body is the patch: every field other than the path parameters. */
const patchOf = (input: Record<string, unknown>) => {
  const { id: _id, orgId: _org, path: _path, ...patch } = input;
  return patch;
};

const get = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/cfg',
  summary: 'Get project configuration',
  tags,
  input: z.strictObject({ id: Uuid }),
  output: Cfg,
  run: (ctx, input) => getProjectCfg(ctx.em, ctx.principal, input.id),
});

const getAt = projectRoute({
  permission: 'view:projects',
  method: 'GET',
  path: '/projects/{id}/cfg/{path}',
  summary: 'Get part of the project configuration',
  description: 'The path is dot-separated (`deploy.odoo.workers`) or slash-separated with the slashes URL-encoded.',
  tags,
  input: z.strictObject({ id: Uuid, path: CfgPath }),
  output: Cfg,
  run: (ctx, input) => getProjectCfg(ctx.em, ctx.principal, input.id, decoded(input.path)),
});

const put = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/cfg',
  summary: 'Merge into the project configuration',
  description:
    'The JSON object body is merged as a JSON Merge Patch (RFC 7386): objects merge, null removes a key. At most 64 KB.',
  tags,
  audit: 'cfg.updated',
  input: z.looseObject({ id: Uuid }),
  output: Cfg,
  run: (ctx, input) => mergeProjectCfg(ctx.em, ctx.principal, input.id, undefined, patchOf(input)),
});

const putAt = projectRoute({
  permission: 'manage:projects',
  method: 'PUT',
  path: '/projects/{id}/cfg/{path}',
  summary: 'Merge into part of the project configuration',
  description: 'Merges the JSON object body at the path, creating intermediate objects.',
  tags,
  audit: 'cfg.updated',
  input: z.looseObject({ id: Uuid, path: CfgPath }),
  output: Cfg,
  run: (ctx, input) => mergeProjectCfg(ctx.em, ctx.principal, input.id, decoded(input.path), patchOf(input)),
});

export const projectCfgRouter = router({
  get: get.plain,
  getInOrg: get.inOrg,
  getAt: getAt.plain,
  getAtInOrg: getAt.inOrg,
  put: put.plain,
  putInOrg: put.inOrg,
  putAt: putAt.plain,
  putAtInOrg: putAt.inOrg,
});
