import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
let token: string;
let projectId: string;
beforeAll(async () => {
  api = await startTestApi();
  token = await api.token();
  projectId = (await api.call('POST', '/api/projects', { token, body: { name: 'Configured' } })).body.id;
});
afterAll(() => api?.close());

const call = (method: string, path: string, body?: unknown) => api.call(method, path, { token, body });

describe('project cfg', () => {
  it('starts empty, merges JSON by path, and reads parts back', async () => {
    expect((await call('GET', `/api/projects/${projectId}/cfg`)).body).toEqual({});
    const merged = await call('PUT', `/api/projects/${projectId}/cfg`, {
      odoo: { version: '18.0', workers: 4 },
      modules: ['sale'],
    });
    expect(merged.body).toEqual({ odoo: { version: '18.0', workers: 4 }, modules: ['sale'] });
    const atPath = await call('PUT', `/api/projects/${projectId}/cfg/odoo.limits`, { memory: '2G' });
    expect(atPath.body).toEqual({ memory: '2G' });
    expect((await call('PUT', `/api/projects/${projectId}/cfg/odoo`, { workers: null, version: '18.1' })).body).toEqual(
      {
        version: '18.1',
        limits: { memory: '2G' },
      },
    );
    expect((await call('GET', `/api/projects/${projectId}/cfg/odoo.version`)).body).toBe('18.1');
    expect((await call('GET', `/api/projects/${projectId}/cfg/${encodeURIComponent('odoo/limits')}`)).body).toEqual({
      memory: '2G',
    });
    expect((await call('GET', `/api/orgs/acme/projects/${projectId}/cfg`)).body).toMatchObject({ modules: ['sale'] });
    expect((await call('GET', `/api/projects/${projectId}/cfg/odoo.missing`)).status).toBe(404);
  });

  it('refuses oversized, malformed and unsafe input with a 400', async () => {
    const big = await call('PUT', `/api/projects/${projectId}/cfg`, { blob: 'x'.repeat(70_000) });
    expect(big.status).toBe(400);
    expect(big.body.message).toContain('limit');
    const unsafe = await call('PUT', `/api/projects/${projectId}/cfg/__proto__`, { polluted: true });
    expect(unsafe.status).toBe(400);
    expect(unsafe.body.issues[0].path).toBe('path');
    const malformed = await api.call('PUT', `/api/projects/${projectId}/cfg`, {
      token,
      body: '{"a":',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    const viewer = await api.token({ permissions: ['view:projects'] });
    expect((await api.call('PUT', `/api/projects/${projectId}/cfg`, { token: viewer, body: { a: 1 } })).status).toBe(
      403,
    );
    expect((await call('GET', `/api/projects/${projectId}/cfg`)).body).not.toHaveProperty('blob');
  });
});

describe('project audit', () => {
  it('records who did what, newest first, without secrets', async () => {
    await call('PUT', `/api/projects/${projectId}`, { name: 'Configured and renamed' });
    await call('PUT', `/api/projects/${projectId}/archive`);
    await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: 'https://github.com/acme/never-reached',
      provider: 'github',
      accessToken: 'ghp_shouldNeverBeStored',
    });
    const audit = await call('GET', `/api/projects/${projectId}/audit?limit=100`);
    expect(audit.status).toBe(200);
    const actions = audit.body.events.map((e: { action: string }) => e.action);
    expect(actions.slice(0, 2)).toEqual(['project.archived', 'project.updated']);
    expect(actions).toEqual(expect.arrayContaining(['project.created', 'cfg.updated']));
    expect(audit.body.events[1]).toMatchObject({ actor: 'user-1', details: { name: 'Configured and renamed' } });
    expect(JSON.stringify(audit.body)).not.toContain('ghp_shouldNeverBeStored');
    expect(audit.body.total).toBe(audit.body.events.length);
  });

  it("keeps a deleted project's events reachable through the org audit, with filters", async () => {
    const doomed = (await call('POST', '/api/projects', { name: 'Short-lived' })).body.id;
    expect((await call('DELETE', `/api/projects/${doomed}`)).status).toBe(204);
    expect((await call('GET', `/api/projects/${doomed}/audit`)).status).toBe(404);

    const ofProject = await call('GET', `/api/org/audit?projectId=${doomed}`);
    expect(ofProject.status).toBe(200);
    expect(ofProject.body.events.map((e: { action: string }) => e.action)).toEqual([
      'project.deleted',
      'project.created',
    ]);
    expect(ofProject.body.events[0]).toMatchObject({ projectId: doomed, actor: 'user-1' });
    expect(ofProject.body.total).toBe(2);

    const deletions = await call('GET', '/api/org/audit?action=project.deleted');
    expect(deletions.body.events.map((e: { projectId: string }) => e.projectId)).toEqual([doomed]);
    const all = await call('GET', '/api/org/audit?limit=2&offset=1');
    expect(all.body.events).toHaveLength(2);
    expect(all.body.total).toBeGreaterThan(5);
    expect((await call('GET', '/api/org/audit?projectId=not-a-uuid')).status).toBe(400);
    expect((await call('GET', '/api/org/audit?actor=nobody')).body).toEqual({ events: [], total: 0 });
  });
});
