import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import {
  type AccessLevel,
  AuditEventSchema,
  BranchMappingSchema,
  MembershipSchema,
  ProjectAccessRuleSchema,
  ProjectInstanceSchema,
  ProjectSchema,
  TeamSchema,
} from '../db/entities.ts';
import { forbidden, invalid } from '../errors.ts';
import { withVersionCheck } from './db-errors.ts';
import { ensureOrganization } from './organizations.ts';
import { findProject, getProject } from './projects.ts';
import { nextFreeSlug } from './slug.ts';

export interface AccessRuleInput {
  teamId?: string;
  userId?: string;
  level: AccessLevel | null;
}

export interface AccessView {
  isRestricted: boolean;
  rules: Array<{ id: string; teamId: string | null; userId: string | null; level: AccessLevel }>;
}

export async function listAccess(em: EntityManager, principal: Principal, projectId: string): Promise<AccessView> {
  const project = await findProject(em, principal, projectId);
  const rules = await em.find(ProjectAccessRuleSchema, { project: projectId }, { orderBy: { createdAt: 'asc' } });
  return {
    isRestricted: project.isRestricted,
    rules: rules.map((r) => ({ id: r.id, teamId: r.team?.id ?? null, userId: r.userId ?? null, level: r.level })),
  };
}

async function checkPrincipal(
  em: EntityManager,
  principal: Principal,
  rule: AccessRuleInput,
  field: string,
): Promise<void> {
  if (Boolean(rule.teamId) === Boolean(rule.userId)) throw invalid(field, 'give exactly one of teamId or userId');
  if (rule.teamId && !(await em.findOne(TeamSchema, { id: rule.teamId, org: principal.orgId }))) {
    throw invalid(`${field}.teamId`, 'no such team in this organization');
  }
  if (rule.userId && !(await em.findOne(MembershipSchema, { org: principal.orgId, userId: rule.userId }))) {
    throw invalid(`${field}.userId`, 'is not a member of this organization');
  }
}

/** Adds, changes or (with level null) removes one rule. */
export async function upsertAccessRule(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  rule: AccessRuleInput,
) {
  const project = await findProject(em, principal, projectId);
  await checkPrincipal(em, principal, rule, '(body)');
  const where = rule.teamId ? { project: projectId, team: rule.teamId } : { project: projectId, userId: rule.userId };
  const existing = await em.findOne(ProjectAccessRuleSchema, where);
  if (rule.level === null) {
    if (existing) em.remove(existing);
  } else if (existing) {
    existing.level = rule.level;
  } else {
    em.create(ProjectAccessRuleSchema, {
      project,
      team: rule.teamId ?? null,
      userId: rule.userId ?? null,
      level: rule.level,
    });
  }
  await em.flush();
  return listAccess(em.fork(), principal, projectId);
}

/** Replaces every rule (and, when given, whether the project is restricted). */
export async function replaceAccessRules(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  input: { isRestricted?: boolean; rules: AccessRuleInput[] },
) {
  const project = await findProject(em, principal, projectId);
  for (const [i, rule] of input.rules.entries()) {
    await checkPrincipal(em, principal, rule, `rules.${i}`);
    if (rule.level === null) throw invalid(`rules.${i}.level`, 'is required in a bulk replace');
  }
  await em.transactional(async (tem) => {
    await tem.nativeDelete(ProjectAccessRuleSchema, { project: projectId });
    for (const rule of input.rules) {
      tem.create(ProjectAccessRuleSchema, {
        project: projectId,
        team: rule.teamId ?? null,
        userId: rule.userId ?? null,
        level: rule.level as AccessLevel,
      });
    }
    if (input.isRestricted !== undefined) {
      await tem.nativeUpdate(ProjectSchema, { id: project.id }, { isRestricted: input.isRestricted });
    }
  });
  return listAccess(em.fork(), principal, projectId);
}

/**
 * Moves a project to another organization where the caller may manage
 * projects. Its repository connection, cfg and history move with it;
 * instance links and branch mappings do not (instances belong to the old
 * organization), nor do team rules.
 */
export async function moveProject(em: EntityManager, principal: Principal, projectId: string, targetOrgId: string) {
  if (targetOrgId === principal.orgId) throw invalid('orgId', 'the project is already in this organization');
  const membership = await em.findOne(MembershipSchema, { org: targetOrgId, userId: principal.userId });
  if (!membership || membership.role === 'viewer' || !principal.permissions.has('manage:projects')) {
    throw forbidden(`moving needs manage:projects in organization ${targetOrgId}`);
  }
  const project = await findProject(em, principal, projectId);
  await ensureOrganization(em, targetOrgId);
  const taken = new Set((await em.find(ProjectSchema, { org: targetOrgId }, { fields: ['slug'] })).map((p) => p.slug));
  const slug = nextFreeSlug(project.slug, taken);
  await em.transactional(async (tem) => {
    await tem.nativeDelete(BranchMappingSchema, { project: projectId });
    await tem.nativeDelete(ProjectInstanceSchema, { project: projectId });
    await tem.nativeDelete(ProjectAccessRuleSchema, { project: projectId, team: { $ne: null } });
    await tem.nativeUpdate(AuditEventSchema, { projectId }, { org: targetOrgId });
    await withVersionCheck('project', () =>
      tem.nativeUpdate(ProjectSchema, { id: projectId }, { org: targetOrgId, slug }),
    );
  });
  return getProject(em.fork(), { ...principal, orgId: targetOrgId }, projectId);
}
