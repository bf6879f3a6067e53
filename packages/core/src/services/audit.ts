import { randomUUID } from 'node:crypto';
import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { AuditEventSchema } from '../db/entities.ts';
import { findProject } from './projects.ts';
import { isoOrNull } from './views.ts';

/** Input fields that never go into the audit log. */
const SECRET_FIELDS = new Set(['accessToken', 'webhookSecret', 'secret', 'token', 'privateKey']);

function scrub(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(scrub);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(
      Object.entries(value).map(([k, v]) => [k, SECRET_FIELDS.has(k) ? '[redacted]' : scrub(v)]),
    );
  }
  return value;
}

/** Records who did what to a project. Secrets in `details` are replaced before storing. */
export async function recordAudit(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  action: string,
  details: Record<string, unknown>,
): Promise<void> {
  await em.insert(AuditEventSchema, {
    id: randomUUID(),
    org: principal.orgId,
    projectId,
    actor: principal.userId,
    action,
    details: scrub(details) as Record<string, unknown>,
    createdAt: new Date(),
  });
}

const auditView = (e: {
  id: string;
  projectId: string;
  action: string;
  actor: string;
  details: Record<string, unknown>;
  createdAt: Date;
}) => ({
  id: e.id,
  projectId: e.projectId,
  action: e.action,
  actor: e.actor,
  details: e.details,
  createdAt: isoOrNull(e.createdAt) ?? '',
});

/** One project's audit events, newest first; the project must be visible to the caller. */
export async function listAudit(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: { limit: number; offset: number },
) {
  await findProject(em, principal, projectId);
  const [items, total] = await em.findAndCount(
    AuditEventSchema,
    { projectId, org: principal.orgId },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: input.limit, offset: input.offset },
  );
  return { events: items.map(auditView), total };
}

/**
 * The org's audit events, newest first, including those of deleted projects
 * (the events outlive them: who deleted a project stays answerable).
 */
export async function listOrgAudit(
  em: EntityManager,
  principal: Principal,
  input: { limit: number; offset: number; projectId?: string; action?: string; actor?: string },
) {
  const [items, total] = await em.findAndCount(
    AuditEventSchema,
    {
      org: principal.orgId,
      ...(input.projectId ? { projectId: input.projectId } : {}),
      ...(input.action ? { action: input.action } : {}),
      ...(input.actor ? { actor: input.actor } : {}),
    },
    { orderBy: { createdAt: 'desc', id: 'desc' }, limit: input.limit, offset: input.offset },
  );
  return { events: items.map(auditView), total };
}
