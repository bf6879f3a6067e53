import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
let admin: string;

beforeAll(async () => {
  api = await startTestApi();
  admin = await api.token();
});
afterAll(() => api?.close());

const post = (path: string, body?: unknown, token = admin) => api.call('POST', path, { token, body });
const put = (path: string, body?: unknown, token = admin) => api.call('PUT', path, { token, body });
const get = (path: string, token = admin) => api.call('GET', path, { token });
const del = (path: string, token = admin) => api.call('DELETE', path, { token });

async function newProject(name: string, extra: Record<string, unknown> = {}) {
  const res = await post('/api/projects', { name, ...extra });
  expect(res.status).toBe(201);
  return res.body;
}
async function newInstance(name: string, environment = 'staging') {
  const res = await post('/api/instances', { name, environment });
  expect(res.status).toBe(201);
  return res.body;
}

describe('projects over REST', () => {
  it('creates a project with a slug folded from a unicode name', async () => {
    const project = await newProject('Ünïcode Straße ERP', { description: 'Custom modules' });
    expect(project).toMatchObject({
      name: 'Ünïcode Straße ERP',
      slug: 'unicode-strasse-erp',
      description: 'Custom modules',
      isArchived: false,
      testSuiteEnabled: false,
      linkedInstances: [],
      instanceCount: 0,
      branchMappings: [],
      gitRepository: null,
    });
    expect(project.id).toMatch(/^[0-9a-f-]{36}$/);
    expect(Date.parse(project.createdAt)).not.toBeNaN();
  });

  it('suffixes a generated slug that is taken and refuses a taken explicit slug', async () => {
    const first = await newProject('Duplicate Name');
    const second = await newProject('Duplicate Name');
    expect(first.slug).toBe('duplicate-name');
    expect(second.slug).toBe('duplicate-name-2');
    const taken = await post('/api/projects', { name: 'Other', slug: 'duplicate-name' });
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'CONFLICT', issues: [{ path: 'slug' }] });
  });

  it('gets, updates and deletes a project', async () => {
    const project = await newProject('Lifecycle');
    expect((await get(`/api/projects/${project.id}`)).body.name).toBe('Lifecycle');
    const updated = await put(`/api/projects/${project.id}`, {
      name: 'Renamed',
      description: 'new',
      testSuiteEnabled: true,
      testGateProduction: 'block',
      testGateStaging: 'warn',
    });
    expect(updated.status).toBe(200);
    expect(updated.body).toMatchObject({ name: 'Renamed', description: 'new', testSuiteEnabled: true, version: 2 });
    const removed = await del(`/api/projects/${project.id}`);
    expect(removed.status).toBe(204);
    expect(removed.body).toBeUndefined();
    expect((await get(`/api/projects/${project.id}`)).status).toBe(404);
    expect((await del(`/api/projects/${project.id}`)).status).toBe(404);
  });

  it('rejects an update based on a stale version with 409', async () => {
    const project = await newProject('Optimistic');
    expect((await put(`/api/projects/${project.id}`, { name: 'A', version: 1 })).status).toBe(200);
    const stale = await put(`/api/projects/${project.id}`, { name: 'B', version: 1 });
    expect(stale.status).toBe(409);
    expect(stale.body.issues[0].path).toBe('version');
  });

  it('archives and unarchives, and lists archived projects only when asked', async () => {
    const project = await newProject('Archivable');
    expect(await put(`/api/projects/${project.id}/archive`)).toEqual({
      status: 200,
      body: { message: 'Project archived' },
    });
    const hidden = await get('/api/projects?include_archived=false');
    expect(hidden.body.projects.map((p: { id: string }) => p.id)).not.toContain(project.id);
    const defaults = await get('/api/projects');
    expect(defaults.body.projects.map((p: { id: string }) => p.id)).not.toContain(project.id);
    const shown = await get('/api/projects?include_archived=true');
    expect(shown.body.projects.map((p: { id: string }) => p.id)).toContain(project.id);
    expect(shown.body.total).toBe(defaults.body.total + 1);
    expect((await put(`/api/projects/${project.id}/unarchive`)).body).toEqual({ message: 'Project unarchived' });
    expect((await get(`/api/projects/${project.id}`)).body.isArchived).toBe(false);
  });

  it('pages and sorts the list while total counts every match', async () => {
    const org = await api.token({ org: 'paging-org' });
    for (const name of ['Charlie', 'alpha', 'Bravo', 'delta']) {
      expect((await post('/api/projects', { name }, org)).status).toBe(201);
    }
    const page = await get('/api/projects?limit=2&offset=1&sort=slug&order=asc', org);
    expect(page.body.total).toBe(4);
    expect(page.body.projects.map((p: { slug: string }) => p.slug)).toEqual(['bravo', 'charlie']);
    const desc = await get('/api/projects?sort=createdAt&order=desc&limit=1', org);
    expect(desc.body.projects[0].name).toBe('delta');
    const bad = await get('/api/projects?limit=0&sort=color&include_archived=maybe', org);
    expect(bad.status).toBe(400);
    expect(bad.body.issues.map((i: { path: string }) => i.path).sort()).toEqual(['include_archived', 'limit', 'sort']);
  });

  it('clones settings, links and mappings into "<name> (copy)"', async () => {
    const instance = await newInstance('Clone target');
    const project = await newProject('Clonable', { description: 'to copy' });
    await put(`/api/projects/${project.id}`, { testSuiteEnabled: true, testGateStaging: 'block' });
    await put(`/api/projects/${project.id}/branch-mappings`, { branch: 'main', environmentId: instance.id });
    const copy = await post(`/api/projects/${project.id}/clone`);
    expect(copy.status).toBe(201);
    expect(copy.body).toMatchObject({
      name: 'Clonable (copy)',
      slug: 'clonable-copy',
      description: 'to copy',
      testSuiteEnabled: true,
      testGateStaging: 'block',
      instanceCount: 1,
      linkedInstances: [{ id: instance.id }],
      branchMappings: [{ branchPattern: 'main', instanceId: instance.id }],
    });
    expect(copy.body.id).not.toBe(project.id);
    const again = await post(`/api/projects/${project.id}/clone`);
    expect(again.body.slug).toBe('clonable-copy-2');
  });

  it('links and unlinks instances, reporting them on the project', async () => {
    const project = await newProject('Linking');
    const instance = await newInstance('Linked one', 'production');
    const linked = await post(`/api/projects/${project.id}/instances`, { instanceId: instance.id });
    expect(linked).toEqual({ status: 200, body: { message: 'Instance linked to project' } });
    const again = await post(`/api/projects/${project.id}/instances`, { instanceId: instance.id });
    expect(again.status).toBe(200);
    const shown = await get(`/api/projects/${project.id}`);
    expect(shown.body.instanceCount).toBe(1);
    expect(shown.body.linkedInstances).toEqual([{ id: instance.id, name: 'Linked one', slug: instance.slug }]);
    const unknown = await post(`/api/projects/${project.id}/instances`, {
      instanceId: '00000000-0000-4000-8000-000000000000',
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].path).toBe('instanceId');
    const unlinked = await del(`/api/projects/${project.id}/instances/${instance.id}`);
    expect(unlinked.body).toEqual({ message: 'Instance unlinked from project' });
    expect((await get(`/api/projects/${project.id}`)).body.instanceCount).toBe(0);
    expect((await del(`/api/projects/${project.id}/instances/${instance.id}`)).status).toBe(404);
  });
});

describe('branch mappings over REST', () => {
  it('replaces all mappings, links their instances and lists them by priority', async () => {
    const project = await newProject('Mapped');
    const prod = await newInstance('Mapped prod', 'production');
    const staging = await newInstance('Mapped staging');
    const res = await put(`/api/projects/${project.id}/branch-mappings`, {
      mappings: [
        { branchPattern: 'feature/**', instanceId: staging.id, priority: 10 },
        { branchPattern: 'main', instanceId: prod.id, priority: 0 },
        { branchPattern: 'release/*', instanceId: staging.id, priority: 5 },
      ],
    });
    expect(res.status).toBe(200);
    expect(res.body.map((m: { branchPattern: string }) => m.branchPattern)).toEqual([
      'main',
      'release/*',
      'feature/**',
    ]);
    const listed = await get(`/api/projects/${project.id}/branch-mappings`);
    expect(listed.body).toEqual(res.body);
    expect((await get(`/api/projects/${project.id}`)).body.instanceCount).toBe(2);
    const replaced = await put(`/api/projects/${project.id}/branch-mappings`, { mappings: [] });
    expect(replaced.body).toEqual([]);
  });

  it("accepts the guide's single form and keeps other branches' mappings", async () => {
    const project = await newProject('Guide form');
    const prod = await newInstance('Guide prod', 'production');
    const dev = await newInstance('Guide dev', 'development');
    await put(`/api/projects/${project.id}/branch-mappings`, { branch: 'main', environmentId: prod.id });
    await put(`/api/projects/${project.id}/branch-mappings`, { branch: 'develop', environmentId: dev.id });
    const moved = await put(`/api/projects/${project.id}/branch-mappings`, { branch: 'main', environmentId: dev.id });
    expect(
      moved.body.map((m: { branchPattern: string; instanceId: string }) => [m.branchPattern, m.instanceId]).sort(),
    ).toEqual(
      [
        ['develop', dev.id],
        ['main', dev.id],
      ].sort(),
    );
  });

  it('names the field for unknown instances, other orgs, duplicates and bad patterns', async () => {
    const project = await newProject('Mapping errors');
    const mine = await newInstance('Mine');
    const otherToken = await api.token({ org: 'someone-else' });
    const theirs = (await post('/api/instances', { name: 'Theirs', environment: 'staging' }, otherToken)).body;
    const cases: Array<[unknown, string]> = [
      [
        { mappings: [{ branchPattern: 'main', instanceId: '00000000-0000-4000-8000-000000000000' }] },
        'mappings.0.instanceId',
      ],
      [{ mappings: [{ branchPattern: 'main', instanceId: theirs.id }] }, 'mappings.0.instanceId'],
      [
        {
          mappings: [
            { branchPattern: 'main', instanceId: mine.id },
            { branchPattern: 'main', instanceId: mine.id },
          ],
        },
        'mappings.1.branchPattern',
      ],
      [{ mappings: [{ branchPattern: 'bad name', instanceId: mine.id }] }, 'mappings.0.branchPattern'],
      [{ mappings: [{ branchPattern: 'a/../b', instanceId: mine.id }] }, 'mappings.0.branchPattern'],
      [{ mappings: [{ branchPattern: '', instanceId: mine.id }] }, 'mappings.0.branchPattern'],
      [{ mappings: [{ branchPattern: 'main', instanceId: 'nope' }] }, 'mappings.0.instanceId'],
      [{ mappings: [{ branchPattern: 'main', instanceId: mine.id, priority: '1' }] }, 'mappings.0.priority'],
      [{ branch: 'main' }, 'environmentId'],
      [{}, 'mappings'],
    ];
    for (const [body, field] of cases) {
      const res = await put(`/api/projects/${project.id}/branch-mappings`, body);
      expect(res.status, JSON.stringify(body)).toBe(400);
      expect(res.body.code).toBe('BAD_REQUEST');
      expect(
        res.body.issues.map((i: { path: string }) => i.path),
        JSON.stringify(body),
      ).toContain(field);
      expect(res.body.message).toContain(field);
    }
    expect((await get(`/api/projects/${project.id}/branch-mappings`)).body).toEqual([]);
  });
});

describe('instances over REST', () => {
  it('creates, lists, gets, updates and deletes instances', async () => {
    const org = await api.token({ org: 'instance-org' });
    const created = await post('/api/instances', { name: 'Odoo Prod', environment: 'production' }, org);
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ name: 'Odoo Prod', slug: 'odoo-prod', environment: 'production' });
    const list = await get('/api/instances?environment=production', org);
    expect(list.body.total).toBe(1);
    const updated = await put(`/api/instances/${created.body.id}`, { name: 'Odoo Production' }, org);
    expect(updated.body.name).toBe('Odoo Production');
    expect((await get(`/api/instances/${created.body.id}`, org)).body.name).toBe('Odoo Production');
    const bad = await post('/api/instances', { name: 'X', environment: 'qa' }, org);
    expect(bad.status).toBe(400);
    expect(bad.body.issues[0].path).toBe('environment');
    expect((await del(`/api/instances/${created.body.id}`, org)).status).toBe(204);
    expect((await get(`/api/instances/${created.body.id}`, org)).status).toBe(404);
  });

  it('deleting an instance removes its links and mappings', async () => {
    const project = await newProject('Loses instance');
    const instance = await newInstance('Doomed');
    await put(`/api/projects/${project.id}/branch-mappings`, { branch: 'main', environmentId: instance.id });
    expect((await del(`/api/instances/${instance.id}`)).status).toBe(204);
    const after = (await get(`/api/projects/${project.id}`)).body;
    expect(after.instanceCount).toBe(0);
    expect(after.branchMappings).toEqual([]);
  });
});

describe('org-scoped project routes', () => {
  it('answer under /api/orgs/{orgId} for the caller org and 404 for any other', async () => {
    const project = await newProject('Org scoped');
    const mine = await get(`/api/orgs/acme/projects/${project.id}`);
    expect(mine.status).toBe(200);
    expect(mine.body.id).toBe(project.id);
    const list = await get('/api/orgs/acme/projects');
    expect(list.body.projects.map((p: { id: string }) => p.id)).toContain(project.id);
    const created = await post('/api/orgs/acme/projects', { name: 'Via org path' });
    expect(created.status).toBe(201);
    expect((await put(`/api/orgs/acme/projects/${project.id}/archive`)).status).toBe(200);
    expect((await get(`/api/orgs/other/projects/${project.id}`)).status).toBe(404);
    expect((await get('/api/orgs/other/projects')).status).toBe(404);
    expect((await del(`/api/orgs/other/projects/${project.id}`)).status).toBe(404);
    expect((await get(`/api/projects/${project.id}`)).status).toBe(200);
  });
});
