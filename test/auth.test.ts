import { createHmac } from 'node:crypto';
import { SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const b64 = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

describe('bearer token verification', () => {
  it('401s a missing, malformed, expired, forged or alg:none token', async () => {
    const now = Math.floor(Date.now() / 1000);
    const claims = { sub: 'u', org: 'acme', permissions: ['view:projects'], iat: now, exp: now + 600 };
    const expired = await new SignJWT({ org: 'acme', permissions: ['view:projects'] })
      .setProtectedHeader({ alg: 'HS256' })
      .setSubject('u')
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(new TextEncoder().encode(api.secret));
    const forged = await new SignJWT(claims)
      .setProtectedHeader({ alg: 'HS256' })
      .sign(new TextEncoder().encode('x'.repeat(40)));
    const none = `${b64({ alg: 'none', typ: 'JWT' })}.${b64(claims)}.`;
    const header = b64({ alg: 'HS256', typ: 'JWT' });
    const body = b64({ ...claims, org: undefined });
    const noOrg = `${header}.${body}.${createHmac('sha256', api.secret).update(`${header}.${body}`).digest('base64url')}`;
    const cases: Array<[string, Record<string, string>]> = [
      ['no header', {}],
      ['basic auth', { authorization: 'Basic dXNlcjpwYXNz' }],
      ['empty bearer', { authorization: 'Bearer ' }],
      ['garbage', { authorization: 'Bearer not.a.jwt' }],
      ['expired', { authorization: `Bearer ${expired}` }],
      ['bad signature', { authorization: `Bearer ${forged}` }],
      ['alg none', { authorization: `Bearer ${none}` }],
      ['no org claim', { authorization: `Bearer ${noOrg}` }],
    ];
    for (const [name, headers] of cases) {
      const res = await api.call('GET', '/api/projects', { headers });
      expect(res.status, name).toBe(401);
      expect(res.body.code, name).toBe('UNAUTHORIZED');
    }
    const expiredRes = await api.call('GET', '/api/projects', { token: expired });
    expect(expiredRes.body.message).toContain('expired');
  });

  it('403s a valid token without the permission, and view does not allow manage', async () => {
    const viewer = await api.token({ permissions: ['view:projects'] });
    const nobody = await api.token({ permissions: [] });
    expect((await api.call('GET', '/api/projects', { token: viewer })).status).toBe(200);
    expect((await api.call('GET', '/api/projects', { token: nobody })).status).toBe(403);
    const create = await api.call('POST', '/api/projects', { token: viewer, body: { name: 'x' } });
    expect(create.status).toBe(403);
    expect(create.body).toEqual({ code: 'FORBIDDEN', message: 'missing permission manage:projects' });
    const manager = await api.token({ permissions: ['manage:projects'] });
    const made = await api.call('POST', '/api/projects', { token: manager, body: { name: 'managed' } });
    expect(made.status).toBe(201);
    expect((await api.call('GET', `/api/projects/${made.body.id}`, { token: manager })).status).toBe(200);
  });

  it("404s another org's project on every route, reads and writes alike", async () => {
    const owner = await api.token({ org: 'owner-org' });
    const stranger = await api.token({ org: 'stranger-org' });
    const project = (await api.call('POST', '/api/projects', { token: owner, body: { name: 'Private' } })).body;
    const instance = (
      await api.call('POST', '/api/instances', { token: owner, body: { name: 'Owned', environment: 'staging' } })
    ).body;
    const id = project.id;
    const routes: Array<[string, string, unknown?]> = [
      ['GET', `/api/projects/${id}`],
      ['PUT', `/api/projects/${id}`, { name: 'stolen' }],
      ['DELETE', `/api/projects/${id}`],
      ['PUT', `/api/projects/${id}/archive`],
      ['PUT', `/api/projects/${id}/unarchive`],
      ['POST', `/api/projects/${id}/clone`],
      ['POST', `/api/projects/${id}/instances`, { instanceId: instance.id }],
      ['DELETE', `/api/projects/${id}/instances/${instance.id}`],
      ['GET', `/api/projects/${id}/branch-mappings`],
      ['PUT', `/api/projects/${id}/branch-mappings`, { mappings: [] }],
      ['GET', `/api/instances/${instance.id}`],
      ['PUT', `/api/instances/${instance.id}`, { name: 'stolen' }],
      ['DELETE', `/api/instances/${instance.id}`],
    ];
    for (const [method, path, body] of routes) {
      const res = await api.call(method, path, { token: stranger, body });
      expect(res.status, `${method} ${path}`).toBe(404);
    }
    const list = await api.call('GET', '/api/projects?include_archived=true', { token: stranger });
    expect(list.body).toEqual({ projects: [], total: 0 });
    const still = await api.call('GET', `/api/projects/${id}`, { token: owner });
    expect(still.body.name).toBe('Private');
  });
});
