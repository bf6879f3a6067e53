import type { EntityManager, Need, Permission, Principal, RepositoryDeps } from '@ocore/core';
import { authorizeProject, notFound, projectOfDeployment, recordAudit } from '@ocore/core';
import type { z } from 'zod';
import { toTRPCError } from './errors.ts';
import { OrgId } from './schemas.ts';
import { publicProcedure, withPermission } from './trpc.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'DELETE';

export interface RouteContext {
  em: EntityManager;
  principal: Principal;
  repositories: RepositoryDeps;
  response: { status?: number; headers?: Record<string, string> };
}

export interface RouteDef<I extends z.ZodObject, O extends z.ZodType, M extends Method> {
  permission: Permission;
  method: M;
  /** REST path under /api, e.g. `/projects/{id}`. */
  path: `/${string}`;
  summary: string;
  description?: string;
  tags: string[];
  input: I;
  output: O;
  /** Success status when it is not 200 (201 created, 204 no content). */
  status?: 201 | 204;
  /** Audit action recorded on success (e.g. `project.updated`); secrets in the input are redacted. */
  audit?: string;
  /** Access needed on the project (default: read for view:projects, write for manage:projects). */
  need?: Need;
  /** For routes addressed by deployment id: authorize against the deployment's project. */
  projectFrom?: 'deployment';
  run: (ctx: RouteContext, input: z.output<I>) => Promise<z.input<O>>;
}

/** `METHOD /path` → success status, for the runtime and for the OpenAPI document. */
export const SUCCESS_STATUS = new Map<string, number>();

/** Every REST route with the access it needs: what the permission-matrix test is generated from. */
export const ROUTE_ACCESS: Array<{
  method: Method;
  path: string;
  permission: Permission;
  need?: Need;
  projectScoped: boolean;
}> = [];

function base<I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  path: `/${string}`,
) {
  if (def.status) SUCCESS_STATUS.set(`${def.method} ${path}`, def.status);
  ROUTE_ACCESS.push({
    method: def.method,
    path,
    permission: def.permission,
    need: def.need,
    projectScoped: def.path.startsWith('/projects/{id}') || def.projectFrom === 'deployment',
  });
  return withPermission(def.permission)
    .meta({ openapi: { method: def.method, path, summary: def.summary, description: def.description, tags: def.tags } })
    .input(def.input)
    .output(def.output);
}

function resolver<I extends z.ZodObject, O extends z.ZodType, M extends Method>(def: RouteDef<I, O, M>) {
  return async (opts: { ctx: RouteContext; input: unknown }) => {
    await authorize(def, opts.ctx, opts.input as Record<string, unknown>);
    const result = await def.run(opts.ctx, opts.input as z.output<I>);
    if (def.status) opts.ctx.response.status = def.status;
    if (def.audit) await audit(def, opts.ctx, opts.input as Record<string, unknown>, result);
    // The output schema already fixes the procedure's type; tRPC's generics cannot see that here.
    return result as never;
  };
}

/** Per-project access (restricted projects, READER/WRITER/OWNER rules), checked in core for every project route. */
async function authorize<I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  ctx: RouteContext,
  input: Record<string, unknown>,
): Promise<void> {
  const id = typeof input.id === 'string' ? input.id : undefined;
  const projectId =
    def.projectFrom === 'deployment' && id
      ? await projectOfDeployment(ctx.em, ctx.principal, id)
      : def.path.startsWith('/projects/{id}')
        ? id
        : undefined;
  if (!projectId) return;
  await authorizeProject(
    ctx.em,
    ctx.principal,
    projectId,
    def.need ?? (def.permission === 'view:projects' ? 'read' : 'write'),
  );
}

/** The project an audited call is about: the path's project, or the one the result names. */
async function audit<I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  ctx: RouteContext,
  input: Record<string, unknown>,
  result: unknown,
): Promise<void> {
  const out = (result ?? {}) as { id?: unknown; projectId?: unknown };
  const projectId = def.path.startsWith('/projects/{id}') ? input.id : (out.projectId ?? out.id);
  if (typeof projectId !== 'string' || !def.audit) return;
  const { id: _id, orgId: _org, ...details } = input;
  const resultId = typeof out.id === 'string' && out.id !== projectId ? { resultId: out.id } : {};
  // The change itself is committed: a failure to record it is logged, never turned into an error.
  await recordAudit(ctx.em.fork(), ctx.principal, projectId, def.audit, { ...details, ...resultId }).catch(
    (error: Error) =>
      ctx.repositories.log.error({ err: error.message, action: def.audit, projectId }, 'audit event not recorded'),
  );
}

const asQuery = <I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  path: `/${string}`,
) => base(def, path).query(resolver(def));
const asMutation = <I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  path: `/${string}`,
) => base(def, path).mutation(resolver(def));

type Built<I extends z.ZodObject, O extends z.ZodType, M extends Method> = M extends 'GET'
  ? ReturnType<typeof asQuery<I, O, M>>
  : ReturnType<typeof asMutation<I, O, M>>;

function build<I extends z.ZodObject, O extends z.ZodType, M extends Method>(
  def: RouteDef<I, O, M>,
  path: `/${string}`,
): Built<I, O, M> {
  return (def.method === 'GET' ? asQuery(def, path) : asMutation(def, path)) as Built<I, O, M>;
}

/** One procedure: a REST route and its tRPC twin. GET routes are queries, the rest mutations. */
export function route<I extends z.ZodObject, O extends z.ZodType, M extends Method>(def: RouteDef<I, O, M>) {
  return build(def, def.path);
}

/**
 * A project route answers at `/api/projects/...` and, in the reference's
 * org-scoped form, at `/api/orgs/{orgId}/projects/...`. An orgId other than
 * the caller's is a 404, like any resource of another org.
 */
export function projectRoute<I extends z.ZodObject, O extends z.ZodType, M extends Method>(def: RouteDef<I, O, M>) {
  const orgInput = def.input.extend({ orgId: OrgId });
  const inOrg = build<typeof orgInput, O, M>(
    {
      ...def,
      input: orgInput,
      run: async (ctx, input) => {
        if (input.orgId !== ctx.principal.orgId) throw toTRPCError(notFound('project'));
        return def.run(ctx, input as z.output<I>);
      },
    },
    `/orgs/{orgId}${def.path}`,
  );
  return { plain: build(def, def.path), inOrg };
}

/**
 * A public REST route (no bearer token), for redirects from a provider whose
 * authenticity is carried by the request itself (e.g. a signed `state`).
 */
export function publicRoute<I extends z.ZodObject, O extends z.ZodType>(def: {
  path: `/${string}`;
  summary: string;
  description?: string;
  tags: string[];
  input: I;
  output: O;
  run: (ctx: { em: EntityManager; repositories: RepositoryDeps }, input: z.output<I>) => Promise<z.input<O>>;
}) {
  return publicProcedure
    .meta({
      openapi: {
        method: 'GET',
        path: def.path,
        summary: def.summary,
        description: def.description,
        tags: def.tags,
        protect: false,
      },
    })
    .input(def.input)
    .output(def.output)
    .query(async ({ ctx, input }) => (await def.run(ctx, input as z.output<I>)) as never);
}
