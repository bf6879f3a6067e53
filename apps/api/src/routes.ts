import type { EntityManager, Permission, Principal } from '@ocore/core';
import { notFound } from '@ocore/core';
import { z } from 'zod';
import { toTRPCError } from './errors.ts';
import { OrgId } from './schemas.ts';
import { withPermission } from './trpc.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  em: EntityManager;
  principal: Principal;
}

export interface RouteDef<I extends z.ZodObject, O extends z.ZodType> {
  permission: Permission;
  method: Method;
  /** REST path under /api, e.g. `/projects/{id}`. */
  path: `/${string}`;
  summary: string;
  description?: string;
  tags: string[];
  input: I;
  output: O;
  /** Success status when it is not 200 (201 created, 204 no content). */
  status?: 201 | 204;
  run: (ctx: RouteContext, input: z.output<I>) => Promise<z.input<O>>;
}

/** `METHOD /path` → success status, for the runtime and for the OpenAPI document. */
export const SUCCESS_STATUS = new Map<string, number>();

function build<I extends z.ZodObject, O extends z.ZodType>(def: RouteDef<I, O>, path: `/${string}`) {
  if (def.status) SUCCESS_STATUS.set(`${def.method} ${path}`, def.status);
  const procedure = withPermission(def.permission)
    .meta({
      openapi: {
        method: def.method,
        path,
        summary: def.summary,
        description: def.description,
        tags: def.tags,
      },
    })
    .input(def.input)
    .output(def.output);
  const resolve = async (opts: {
    ctx: RouteContext & { response: { status?: number } };
    input: unknown;
  }) => {
    const { ctx } = opts;
    const result = await def.run(ctx, opts.input as z.output<I>);
    if (def.status) ctx.response.status = def.status;
    // The output schema already fixes the procedure's type; tRPC's generics cannot see that here.
    return result as never;
  };
  return def.method === 'GET' ? procedure.query(resolve) : procedure.mutation(resolve);
}

/** One procedure for a REST route (and its tRPC twin). */
export function route<I extends z.ZodObject, O extends z.ZodType>(def: RouteDef<I, O>) {
  return build(def, def.path);
}

/**
 * A project route answers at `/api/projects/...` and, in the reference's
 * org-scoped form, at `/api/orgs/{orgId}/projects/...`. An orgId other than
 * the caller's is a 404, like any resource of another org.
 */
export function projectRoute<I extends z.ZodObject, O extends z.ZodType>(def: RouteDef<I, O>) {
  const inOrg = build(
    {
      ...def,
      input: def.input.extend({ orgId: OrgId }),
      run: async (ctx, input) => {
        if (input.orgId !== ctx.principal.orgId) throw toTRPCError(notFound('project'));
        return def.run(ctx, input as z.output<I>);
      },
    },
    `/orgs/{orgId}${def.path}`,
  );
  return { plain: build(def, def.path), inOrg };
}
