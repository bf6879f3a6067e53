import {
  DomainError,
  type EntityManager,
  type MikroORM,
  type Permission,
  type Principal,
  type RepositoryDeps,
  requirePermission,
  resolveMembership,
  type TokenVerifier,
  unauthorized,
} from '@ocore/core';
import { initTRPC, TRPCError } from '@trpc/server';
import type { OpenApiMeta } from 'trpc-to-openapi';
import { type ErrorIssue, issuesOf, messageOf, toTRPCError } from './errors.ts';

export interface ContextDeps {
  orm: MikroORM;
  verifyToken: TokenVerifier;
  repositories: RepositoryDeps;
}

export interface Context {
  em: EntityManager;
  authorization: string | undefined;
  verifyToken: TokenVerifier;
  repositories: RepositoryDeps;
  /** Shared by every derived context, so a procedure can set the REST success status and headers. */
  response: { status?: number; headers?: Record<string, string> };
}

export function createContextFactory(deps: ContextDeps) {
  return ({ req }: { req: { headers: Record<string, string | string[] | undefined> } }): Context => {
    const header = req.headers.authorization;
    return {
      em: deps.orm.em.fork(),
      authorization: Array.isArray(header) ? header[0] : header,
      verifyToken: deps.verifyToken,
      repositories: deps.repositories,
      response: {},
    };
  };
}

const t = initTRPC
  .context<Context>()
  .meta<OpenApiMeta>()
  .create({
    errorFormatter({ shape, error }) {
      const issues: ErrorIssue[] | undefined = issuesOf(error);
      const message = messageOf(error, issues);
      return {
        code: shape.code,
        message,
        data: { code: shape.data.code, httpStatus: shape.data.httpStatus, path: shape.data.path, issues },
      };
    },
  });

export const router = t.router;

/** Converts domain errors thrown by core into tRPC errors with the right status. */
const mapDomainErrors = t.middleware(async ({ next }) => {
  const result = await next();
  if (!result.ok && result.error.cause instanceof DomainError) {
    throw toTRPCError(result.error.cause);
  }
  return result;
});

export const publicProcedure = t.procedure.use(mapDomainErrors);

/** Verifies the bearer token; anything wrong with it is a 401. */
export const authedProcedure = publicProcedure.use(async ({ ctx, next }) => {
  const header = ctx.authorization;
  const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
  if (!match?.[1]) {
    throw new TRPCError({ code: 'UNAUTHORIZED', message: 'missing or malformed bearer token' });
  }
  let principal: Principal;
  try {
    principal = await ctx.verifyToken(match[1]);
  } catch (error) {
    if (error instanceof DomainError) throw toTRPCError(error);
    throw toTRPCError(unauthorized('bearer token could not be verified'));
  }
  try {
    principal = await resolveMembership(ctx.em, principal);
  } catch (error) {
    if (error instanceof DomainError) throw toTRPCError(error);
    throw error;
  }
  return next({ ctx: { ...ctx, principal } });
});

/** A procedure that needs one permission; the check itself lives in core. */
export const withPermission = (permission: Permission) =>
  authedProcedure.use(({ ctx, next }) => {
    try {
      requirePermission(ctx.principal, permission);
    } catch (error) {
      if (error instanceof DomainError) throw toTRPCError(error);
      throw error;
    }
    return next();
  });
