import { randomUUID } from 'node:crypto';
import { ROUTE_ACCESS } from '@ocore/api';
import { insertDeployment } from '@ocore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
const tokens: Record<string, string> = {};
let restricted: string;
let open: string;
let instanceId: string;
let deploymentId: string;
let writersTeam: string;

const as = (who: string) => ({
  call: (method: string, path: string, body?: unknown) => api.call(method, path, { token: tokens[who], body }),
});

async function restrictedProject(name: string): Promise<string> {
  const id = (await as('owner').call('POST', '/api/projects', { name })).body.id as string;
  await as('owner').call('POST', `/api/projects/${id}/instances`, { instanceId });
  const rules = [
    { userId: 'reader', level: 'READER' },
    { teamId: writersTeam, level: 'WRITER' },
    { userId: 'ownerdev', level: 'OWNER' },
  ];
  const res = await as('owner').call('POST', `/api/projects/${id}/access/bulk`, { isRestricted: true, rules });
  expect(res.status, JSON.stringify(res.body)).toBe(200);
  return id;
}

beforeAll(async () => {
  api = await startTestApi();
  for (const sub of ['owner', 'admin', 'dev', 'viewer', 'reader', 'writer', 'ownerdev', 'norule', 'stranger']) {
    tokens[sub] = await api.token({ sub, org: 'acme' });
  }
  tokens.zeta = await api.token({ sub: 'z', org: 'zeta' });
  // The first user of an org owns it; the others are added by an admin.
  expect((await as('owner').call('GET', '/api/projects')).status).toBe(200);
  const roles: Record<string, string> = {
    admin: 'admin',
    dev: 'developer',
    viewer: 'viewer',
    reader: 'developer',
    writer: 'developer',
    ownerdev: 'developer',
    norule: 'developer',
  };
  for (const [userId, role] of Object.entries(roles)) {
    expect((await as('owner').call('PUT', `/api/org/members/${userId}`, { role })).status).toBe(200);
  }
  writersTeam = (await as('owner').call('POST', '/api/org/teams', { name: 'Writers' })).body.id;
  await as('owner').call('PUT', `/api/org/teams/${writersTeam}/members/writer`);
  instanceId = (await as('owner').call('POST', '/api/instances', { name: 'Shared', environment: 'staging' })).body.id;
  restricted = await restrictedProject('Secret project');
  open = (await as('owner').call('POST', '/api/projects', { name: 'Open project' })).body.id;
  deploymentId = (await insertDeployment(api.orm.em.fork(), {
    projectId: restricted,
    instanceId,
    ref: 'main',
    refKind: 'branch',
    commitSha: 'a'.repeat(40),
    trigger: 'manual',
    dedupe: false,
  })) as string;
}, 60_000);
afterAll(() => api?.close());

describe('organizations, members and teams', () => {
  it('lets only members in, with permissions from their role narrowed by token claims', async () => {
    expect((await as('stranger').call('GET', '/api/projects')).status).toBe(403);
    expect((await as('viewer').call('POST', '/api/projects', { name: 'nope' })).status).toBe(403);
    expect((await as('dev').call('POST', '/api/projects', { name: 'dev made' })).status).toBe(201);
    const narrowed = await api.token({ sub: 'dev', org: 'acme', permissions: ['view:projects'] });
    expect((await api.call('POST', '/api/projects', { token: narrowed, body: { name: 'x' } })).status).toBe(403);
    expect((await as('dev').call('GET', '/api/org/members')).status).toBe(403);
    const members = (await as('admin').call('GET', '/api/org/members')).body;
    expect(members.find((m: { userId: string }) => m.userId === 'writer')).toMatchObject({
      role: 'developer',
      teamIds: [writersTeam],
    });
    expect((await as('owner').call('PUT', '/api/org/members/owner', { role: 'viewer' })).status).toBe(409);
  });
});

describe('restricted projects', () => {
  it('are invisible without a rule: 404 and missing from lists and counts', async () => {
    for (const who of ['dev', 'viewer', 'norule']) {
      expect((await as(who).call('GET', `/api/projects/${restricted}`)).status, who).toBe(404);
      const list = (await as(who).call('GET', '/api/projects?include_archived=true&limit=500')).body;
      expect(
        list.projects.map((p: { id: string }) => p.id),
        who,
      ).not.toContain(restricted);
      // A project without restriction stays visible to every member.
      expect(
        list.projects.map((p: { id: string }) => p.id),
        who,
      ).toContain(open);
      expect((await as(who).call('GET', `/api/projects/${open}`)).status, who).toBe(200);
      expect(list.total, who).toBe(list.projects.length);
    }
    const adminList = (await as('admin').call('GET', '/api/projects?include_archived=true&limit=500')).body;
    expect(adminList.projects.map((p: { id: string }) => p.id)).toContain(restricted);
    expect(
      (await as('reader').call('GET', '/api/projects?limit=500')).body.projects.map((p: { id: string }) => p.id),
    ).toContain(restricted);
  });

  it('READER views, WRITER (through a team) manages, OWNER deletes and manages the rules', async () => {
    expect((await as('reader').call('GET', `/api/projects/${restricted}`)).status).toBe(200);
    expect((await as('reader').call('PUT', `/api/projects/${restricted}`, { description: 'r' })).status).toBe(403);
    expect((await as('writer').call('PUT', `/api/projects/${restricted}`, { description: 'w' })).status).toBe(200);
    expect(
      (await as('writer').call('POST', `/api/projects/${restricted}/access`, { userId: 'dev', level: 'READER' }))
        .status,
    ).toBe(403);
    const throwaway = await restrictedProject('Throwaway');
    expect((await as('writer').call('DELETE', `/api/projects/${throwaway}`)).status).toBe(403);
    expect((await as('ownerdev').call('DELETE', `/api/projects/${throwaway}`)).status).toBe(204);
    const granted = await as('ownerdev').call('POST', `/api/projects/${restricted}/access`, {
      userId: 'norule',
      level: 'READER',
    });
    expect(granted.body.rules.map((r: { userId: string | null }) => r.userId)).toContain('norule');
    expect((await as('norule').call('GET', `/api/projects/${restricted}`)).status).toBe(200);
    await as('ownerdev').call('POST', `/api/projects/${restricted}/access`, { userId: 'norule', level: null });
    expect((await as('norule').call('GET', `/api/projects/${restricted}`)).status).toBe(404);
  });
});

describe('moving a project between organizations', () => {
  it('needs manage:projects in both; the repository moves, instance links and mappings do not', async () => {
    const id = (await as('owner').call('POST', '/api/projects', { name: 'Mover' })).body.id;
    await as('owner').call('PUT', `/api/projects/${id}/branch-mappings`, { branch: 'main', environmentId: instanceId });
    await as('owner').call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/mover',
      provider: 'github',
    });
    expect((await as('owner').call('POST', `/api/projects/${id}/move`, { orgId: 'zeta' })).status).toBe(403);
    await as('zeta').call('PUT', '/api/org/members/owner', { role: 'developer' });
    const moved = await as('owner').call('POST', `/api/projects/${id}/move`, { orgId: 'zeta' });
    expect(moved.status, JSON.stringify(moved.body)).toBe(200);
    expect(moved.body).toMatchObject({
      orgId: 'zeta',
      instanceCount: 0,
      branchMappings: [],
      gitRepository: { repoName: 'mover' },
    });
    expect((await as('owner').call('GET', `/api/projects/${id}`)).status).toBe(404);
    expect((await as('zeta').call('GET', `/api/projects/${id}`)).body.gitRepository.repoName).toBe('mover');
  });
});

/**
 * The permission matrix, generated from the router: every REST route, for
 * every kind of caller, on a restricted project (READER/WRITER/OWNER rules)
 * and on org-level resources.
 */
describe('the permission matrix', () => {
  const BODIES: Record<string, () => unknown> = {
    'POST /projects': () => ({ name: `m-${randomUUID().slice(0, 8)}` }),
    'POST /projects/{id}/instances': () => ({ instanceId }),
    'POST /projects/{id}/deployments': () => ({ instanceId, commitSha: 'b'.repeat(40) }),
    'POST /projects/{id}/access': () => ({ userId: 'reader', level: 'READER' }),
    'POST /projects/{id}/access/bulk': () => ({
      isRestricted: true,
      rules: [
        { userId: 'reader', level: 'READER' },
        { teamId: writersTeam, level: 'WRITER' },
        { userId: 'ownerdev', level: 'OWNER' },
      ],
    }),
    'POST /projects/{id}/move': () => ({ orgId: 'acme' }),
    'PUT /org/members/{userId}': () => ({ role: 'developer' }),
    'POST /org/teams': () => ({ name: `t-${randomUUID().slice(0, 8)}` }),
    'PUT /settings/notifications': () => ({ url: null }),
    'POST /instances': () => ({ name: `i-${randomUUID().slice(0, 8)}`, environment: 'development' }),
  };
  const callers = [
    'none',
    'zeta',
    'viewer',
    'dev',
    'admin',
    'owner',
    'norule',
    'reader',
    'writer',
    'ownerdev',
  ] as const;
  const RANK = { read: 1, write: 2, own: 3 } as const;
  const ruleLevel: Record<string, number> = { reader: 1, writer: 2, ownerdev: 3 };

  it('answers every route as expected for every caller', async () => {
    const failures: string[] = [];
    for (const route of ROUTE_ACCESS) {
      const key = `${route.method} ${route.path.replace('/orgs/{orgId}', '')}`;
      const need = route.need ?? (route.permission === 'view:projects' ? 'read' : 'write');
      for (const caller of callers) {
        // Routes that destroy their target get a fresh one.
        const project = key === 'DELETE /projects/{id}' ? await restrictedProject(`del-${caller}`) : restricted;
        const path = route.path
          .replace('{orgId}', 'acme')
          .replace(
            '{id}',
            route.path.startsWith('/deployments')
              ? deploymentId
              : route.path.startsWith('/instances')
                ? route.method === 'DELETE'
                  ? randomUUID()
                  : instanceId
                : project,
          )
          .replace('{instanceId}', randomUUID())
          .replace('{deliveryId}', randomUUID())
          .replace('{path}', 'a')
          .replace(
            '{teamId}',
            route.method === 'DELETE' && !route.path.includes('/members/') ? randomUUID() : writersTeam,
          )
          .replace(
            '{userId}',
            route.method === 'DELETE' ? 'nobody' : route.path.includes('/teams/') ? 'writer' : 'dev',
          );
        const body = route.method === 'GET' || route.method === 'DELETE' ? undefined : (BODIES[key]?.() ?? {});
        const res = await api.call(route.method, `/api${path}`, {
          token: caller === 'none' ? undefined : tokens[caller],
          body,
        });
        const hidden = res.status === 404 && res.body?.message === 'project not found';
        const denied = res.status === 401 || res.status === 403 || hidden;
        let expected: 'allowed' | 401 | 403 | 404;
        const role =
          { viewer: 'viewer', zeta: 'owner', admin: 'admin', owner: 'owner' }[caller as string] ?? 'developer';
        const perms =
          role === 'viewer'
            ? ['view:projects']
            : role === 'developer'
              ? ['view:projects', 'manage:projects']
              : ['view:projects', 'manage:projects', 'manage:org_settings'];
        if (caller === 'none') expected = 401;
        else if (!perms.includes(route.permission)) expected = 403;
        else if (caller === 'zeta' && (route.projectScoped || route.path.startsWith('/orgs/{orgId}'))) expected = 404;
        else if (!route.projectScoped) expected = 'allowed';
        else if (caller === 'admin' || caller === 'owner') expected = 'allowed';
        else if (!(caller in ruleLevel)) expected = 404;
        else expected = (ruleLevel[caller] ?? 0) >= RANK[need] ? 'allowed' : 403;
        const ok =
          expected === 'allowed'
            ? !denied && res.status < 500
            : expected === 404
              ? res.status === 404
              : res.status === expected;
        if (!ok)
          failures.push(
            `${route.method} ${path} as ${caller}: expected ${expected}, got ${res.status} ${JSON.stringify(res.body).slice(0, 120)}`,
          );
      }
    }
    expect(failures).toEqual([]);
    expect(ROUTE_ACCESS.length).toBeGreaterThan(80);
  }, 120_000);
});
