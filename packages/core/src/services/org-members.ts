import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { MembershipSchema, type Role, TeamMemberSchema, TeamSchema } from '../db/entities.ts';
import { conflict, invalid, notFound } from '../errors.ts';
import { isUniqueViolation } from './db-errors.ts';
import { isoOrNull } from './views.ts';

export interface MemberView {
  userId: string;
  role: Role;
  teamIds: string[];
  createdAt: string;
}

export async function listMembers(em: EntityManager, principal: Principal): Promise<MemberView[]> {
  const members = await em.find(MembershipSchema, { org: principal.orgId }, { orderBy: { userId: 'asc' } });
  const teams = await em.find(TeamMemberSchema, { team: { org: principal.orgId } });
  return members.map((m) => ({
    userId: m.userId,
    role: m.role,
    teamIds: teams.filter((t) => t.userId === m.userId).map((t) => t.team.id),
    createdAt: isoOrNull(m.createdAt) ?? '',
  }));
}

/** Adds a member or changes their role. The last owner cannot be demoted. */
export async function setMember(
  em: EntityManager,
  principal: Principal,
  userId: string,
  role: Role,
): Promise<MemberView[]> {
  const existing = await em.findOne(MembershipSchema, { org: principal.orgId, userId });
  if (existing) {
    if (existing.role === 'owner' && role !== 'owner') await assertAnotherOwner(em, principal.orgId, userId);
    existing.role = role;
  } else {
    await em.execute('insert into users (id, created_at) values (?, now()) on conflict do nothing', [userId]);
    em.create(MembershipSchema, { org: principal.orgId, userId, role });
  }
  await em.flush();
  return listMembers(em, principal);
}

export async function removeMember(em: EntityManager, principal: Principal, userId: string): Promise<void> {
  const existing = await em.findOne(MembershipSchema, { org: principal.orgId, userId });
  if (!existing) throw notFound('member');
  if (existing.role === 'owner') await assertAnotherOwner(em, principal.orgId, userId);
  await em.nativeDelete(TeamMemberSchema, { userId, team: { org: principal.orgId } });
  await em.nativeDelete(MembershipSchema, { org: principal.orgId, userId });
}

async function assertAnotherOwner(em: EntityManager, orgId: string, userId: string): Promise<void> {
  const owners = await em.count(MembershipSchema, { org: orgId, role: 'owner', userId: { $ne: userId } });
  if (owners === 0) throw conflict('an organization needs at least one owner', 'role');
}

export interface TeamView {
  id: string;
  name: string;
  members: string[];
  createdAt: string;
}

export async function listTeams(em: EntityManager, principal: Principal): Promise<TeamView[]> {
  const teams = await em.find(
    TeamSchema,
    { org: principal.orgId },
    { populate: ['members'], orderBy: { name: 'asc' } },
  );
  return teams.map((t) => ({
    id: t.id,
    name: t.name,
    members: t.members
      .getItems()
      .map((m) => m.userId)
      .sort(),
    createdAt: isoOrNull(t.createdAt) ?? '',
  }));
}

export async function createTeam(em: EntityManager, principal: Principal, name: string): Promise<TeamView> {
  const team = em.create(TeamSchema, { org: principal.orgId, name });
  try {
    await em.flush();
  } catch (error) {
    if (isUniqueViolation(error)) throw conflict(`a team named "${name}" exists`, 'name');
    throw error;
  }
  return { id: team.id, name: team.name, members: [], createdAt: isoOrNull(team.createdAt) ?? '' };
}

export async function deleteTeam(em: EntityManager, principal: Principal, teamId: string): Promise<void> {
  if ((await em.nativeDelete(TeamSchema, { id: teamId, org: principal.orgId })) === 0) throw notFound('team');
}

/** Team members must be members of the organization. */
export async function setTeamMember(
  em: EntityManager,
  principal: Principal,
  teamId: string,
  userId: string,
  member: boolean,
) {
  const team = await em.findOne(TeamSchema, { id: teamId, org: principal.orgId });
  if (!team) throw notFound('team');
  if (member) {
    if (!(await em.findOne(MembershipSchema, { org: principal.orgId, userId }))) {
      throw invalid('userId', 'is not a member of the organization');
    }
    await em.execute('insert into team_members (team_id, user_id) values (?, ?) on conflict do nothing', [
      teamId,
      userId,
    ]);
  } else {
    await em.nativeDelete(TeamMemberSchema, { team: teamId, userId });
  }
  return (await listTeams(em.fork(), principal)).find((t) => t.id === teamId);
}
