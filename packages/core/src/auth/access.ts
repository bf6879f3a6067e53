import type { EntityManager } from '@mikro-orm/postgresql';
import {
  type AccessLevel,
  DeploymentSchema,
  MembershipSchema,
  ProjectAccessRuleSchema,
  ProjectSchema,
  type Role,
  TeamMemberSchema,
} from '../db/entities.ts';
import { forbidden, notFound } from '../errors.ts';
import { ensureOrganization } from '../services/organizations.ts';
import { PERMISSIONS, type Permission, type Principal } from './permissions.ts';

export const ROLE_PERMISSIONS: Record<Role, readonly Permission[]> = {
  owner: PERMISSIONS,
  admin: PERMISSIONS,
  developer: ['view:projects', 'manage:projects'],
  viewer: ['view:projects'],
};

/**
 * Turns a verified token into the principal the services see. The database
 * is the authority: permissions come from the user's membership role, and
 * the token's permission claims can only narrow them. The first user of an
 * organization becomes its owner; anyone else must be added by an admin.
 */
export async function resolveMembership(em: EntityManager, fromToken: Principal): Promise<Principal> {
  let membership = await em.findOne(MembershipSchema, { org: fromToken.orgId, userId: fromToken.userId });
  if (!membership) {
    await ensureOrganization(em, fromToken.orgId);
    await em.execute('insert into users (id, created_at) values (?, now()) on conflict do nothing', [fromToken.userId]);
    await em.execute(
      `insert into memberships (org_id, user_id, role, created_at)
       select ?, ?, 'owner', now() where not exists (select 1 from memberships where org_id = ?)
       on conflict do nothing`,
      [fromToken.orgId, fromToken.userId, fromToken.orgId],
    );
    membership = await em.findOne(
      MembershipSchema,
      { org: fromToken.orgId, userId: fromToken.userId },
      { refresh: true },
    );
    if (!membership) throw forbidden(`${fromToken.userId} is not a member of organization ${fromToken.orgId}`);
  }
  const teams = await em.find(
    TeamMemberSchema,
    { userId: fromToken.userId, team: { org: fromToken.orgId } },
    { fields: ['team'] },
  );
  const granted = ROLE_PERMISSIONS[membership.role];
  return {
    ...fromToken,
    role: membership.role,
    permissions: new Set(granted.filter((p) => fromToken.permissions.has(p))),
    teamIds: teams.map((t) => t.team.id),
  };
}

export type Need = 'read' | 'write' | 'own';
const RANK: Record<AccessLevel | 'NONE', number> = { NONE: 0, READER: 1, WRITER: 2, OWNER: 3 };
const NEEDED: Record<Need, AccessLevel> = { read: 'READER', write: 'WRITER', own: 'OWNER' };

/** Org owners and admins see every project, restricted or not. */
export const seesAllProjects = (principal: Principal) => principal.role === 'owner' || principal.role === 'admin';

/** The principal's level on a project: from the org role, or, when restricted, from access rules. */
async function accessLevel(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  restricted: boolean,
): Promise<AccessLevel | 'NONE'> {
  if (seesAllProjects(principal)) return 'OWNER';
  if (!restricted) return principal.permissions.has('manage:projects') ? 'OWNER' : 'READER';
  const rules = await em.find(ProjectAccessRuleSchema, {
    project: projectId,
    $or: [{ userId: principal.userId }, { team: { $in: [...(principal.teamIds ?? [])] } }],
  });
  return rules.reduce<AccessLevel | 'NONE'>((best, r) => (RANK[r.level] > RANK[best] ? r.level : best), 'NONE');
}

/**
 * The one per-project check: a project the caller cannot see is a 404
 * (restricted without a rule looks exactly like one that does not exist);
 * one they see but may not change is a 403.
 */
export async function authorizeProject(
  em: EntityManager,
  principal: Principal,
  projectId: string,
  need: Need,
): Promise<void> {
  const project = await em.findOne(
    ProjectSchema,
    { id: projectId, org: principal.orgId },
    { fields: ['isRestricted'] },
  );
  if (!project) throw notFound('project');
  const level = await accessLevel(em, principal, projectId, project.isRestricted);
  if (level === 'NONE') throw notFound('project');
  if (RANK[level] < RANK[NEEDED[need]]) throw forbidden(`needs ${NEEDED[need]} access to this project`);
}

/** The project a deployment belongs to (for routes addressed by deployment id). */
export async function projectOfDeployment(
  em: EntityManager,
  principal: Principal,
  deploymentId: string,
): Promise<string> {
  const deployment = await em.findOne(
    DeploymentSchema,
    { id: deploymentId, project: { org: principal.orgId } },
    { fields: ['project'] },
  );
  if (!deployment) throw notFound('deployment');
  return deployment.project.id;
}

/** A query filter hiding restricted projects the principal has no rule for. */
export function visibleProjects(principal: Principal): object {
  if (seesAllProjects(principal)) return {};
  return {
    $or: [
      { isRestricted: false },
      { accessRules: { userId: principal.userId } },
      { accessRules: { team: { $in: [...(principal.teamIds ?? [])] } } },
    ],
  };
}
