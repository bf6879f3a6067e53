import { DomainError, type DomainErrorKind } from '@ocore/core';
import { TRPCError } from '@trpc/server';
import type { TRPC_ERROR_CODE_KEY } from '@trpc/server/rpc';
import { ZodError } from 'zod';

/** The one table from domain error kinds to tRPC codes (and so HTTP statuses). */
const CODES: Record<DomainErrorKind, TRPC_ERROR_CODE_KEY> = {
  NOT_FOUND: 'NOT_FOUND',
  CONFLICT: 'CONFLICT',
  FORBIDDEN: 'FORBIDDEN',
  UNAUTHORIZED: 'UNAUTHORIZED',
  INVALID: 'BAD_REQUEST',
  PROVIDER_FAILED: 'BAD_GATEWAY',
  UNAVAILABLE: 'SERVICE_UNAVAILABLE',
};

export function toTRPCError(error: DomainError): TRPCError {
  return new TRPCError({ code: CODES[error.kind], message: error.message, cause: error });
}

export interface ErrorIssue {
  path: string;
  message: string;
}

/** Field-level detail for an error: zod issues, or the field a domain error names. */
export function issuesOf(error: TRPCError): ErrorIssue[] | undefined {
  const cause = error.cause;
  if (cause instanceof ZodError) {
    return cause.issues.map((issue) => {
      const path = issue.path.map(String).join('.');
      if (issue.code === 'unrecognized_keys') {
        const keys = issue.keys.map((k) => (path ? `${path}.${k}` : k)).join(', ');
        return { path: keys, message: 'unknown field' };
      }
      return { path: path || '(body)', message: issue.message };
    });
  }
  if (cause instanceof DomainError && cause.field) {
    return [{ path: cause.field, message: cause.detail }];
  }
  return undefined;
}

/** A message a client can show: names the offending fields for validation errors. */
export function messageOf(error: TRPCError, issues: ErrorIssue[] | undefined): string {
  if (error.code === 'INTERNAL_SERVER_ERROR') return 'Internal server error';
  if (error.cause instanceof ZodError && issues) {
    return `Invalid input: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`;
  }
  return error.message;
}
