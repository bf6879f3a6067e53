import {
  createTeam,
  deleteTeam,
  listMembers,
  listTeams,
  ROLES,
  removeMember,
  setMember,
  setTeamMember,
} from '@ocore/core';
import { z } from 'zod';
import { route } from '../routes.ts';
import { Uuid } from '../schemas.ts';
import { router } from '../trpc.ts';

const tags = ['organization'];
const UserId = z.string().min(1).max(255);
const Member = z
  .object({ userId: z.string(), role: z.enum(ROLES), teamIds: z.array(z.string()), createdAt: z.string() })
  .meta({ id: 'Member' });
const Team = z
  .object({ id: z.string(), name: z.string(), members: z.array(z.string()), createdAt: z.string() })
  .meta({ id: 'Team' });

/** Members, roles and teams of the caller's organization; all need manage:org_settings. */
export const orgRouter = router({
  members: route({
    permission: 'manage:org_settings',
    method: 'GET',
    path: '/org/members',
    summary: 'List organization members',
    description:
      'Roles: owner and admin (all permissions), developer (view and manage projects), viewer (view projects).',
    tags,
    input: z.strictObject({}),
    output: z.array(Member),
    run: (ctx) => listMembers(ctx.em, ctx.principal),
  }),
  setMember: route({
    permission: 'manage:org_settings',
    method: 'PUT',
    path: '/org/members/{userId}',
    summary: "Add a member or change a member's role",
    tags,
    input: z.strictObject({ userId: UserId, role: z.enum(ROLES) }),
    output: z.array(Member),
    run: (ctx, input) => setMember(ctx.em, ctx.principal, input.userId, input.role),
  }),
  removeMember: route({
    permission: 'manage:org_settings',
    method: 'DELETE',
    path: '/org/members/{userId}',
    summary: 'Remove a member',
    tags,
    status: 204,
    input: z.strictObject({ userId: UserId }),
    output: z.void(),
    run: (ctx, input) => removeMember(ctx.em, ctx.principal, input.userId),
  }),
  teams: route({
    permission: 'manage:org_settings',
    method: 'GET',
    path: '/org/teams',
    summary: 'List teams',
    tags,
    input: z.strictObject({}),
    output: z.array(Team),
    run: (ctx) => listTeams(ctx.em, ctx.principal),
  }),
  createTeam: route({
    permission: 'manage:org_settings',
    method: 'POST',
    path: '/org/teams',
    summary: 'Create a team',
    tags,
    status: 201,
    input: z.strictObject({ name: z.string().trim().min(1).max(200) }),
    output: Team,
    run: (ctx, input) => createTeam(ctx.em, ctx.principal, input.name),
  }),
  deleteTeam: route({
    permission: 'manage:org_settings',
    method: 'DELETE',
    path: '/org/teams/{teamId}',
    summary: 'Delete a team',
    tags,
    status: 204,
    input: z.strictObject({ teamId: Uuid }),
    output: z.void(),
    run: (ctx, input) => deleteTeam(ctx.em, ctx.principal, input.teamId),
  }),
  addTeamMember: route({
    permission: 'manage:org_settings',
    method: 'PUT',
    path: '/org/teams/{teamId}/members/{userId}',
    summary: 'Add a member to a team',
    tags,
    input: z.strictObject({ teamId: Uuid, userId: UserId }),
    output: Team.optional(),
    run: (ctx, input) => setTeamMember(ctx.em, ctx.principal, input.teamId, input.userId, true),
  }),
  removeTeamMember: route({
    permission: 'manage:org_settings',
    method: 'DELETE',
    path: '/org/teams/{teamId}/members/{userId}',
    summary: 'Remove a member from a team',
    tags,
    input: z.strictObject({ teamId: Uuid, userId: UserId }),
    output: Team.optional(),
    run: (ctx, input) => setTeamMember(ctx.em, ctx.principal, input.teamId, input.userId, false),
  }),
});
