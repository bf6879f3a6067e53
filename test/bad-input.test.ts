import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
let token: string;
let projectId: string;
beforeAll(async () => {
  api = await startTestApi();
  token = await api.token();
  projectId = (await api.call('POST', '/api/projects', { token, body: { name: 'Target' } })).body.id;
});
afterAll(() => api?.close());

describe('bad input gets a 4xx JSON error, never a 500', () => {
  it('names the field for wrong types, unknown fields, oversize strings and bad UUIDs', async () => {
    const cases: Array<[string, string, unknown, string]> = [
      ['POST', '/api/projects', { name: 42 }, 'name'],
      ['POST', '/api/projects', { name: '' }, 'name'],
      ['POST', '/api/projects', { name: '   ' }, 'name'],
      ['POST', '/api/projects', { name: 'x'.repeat(201) }, 'name'],
      ['POST', '/api/projects', { name: 'ok', description: 'd'.repeat(4001) }, 'description'],
      ['POST', '/api/projects', { name: 'ok', slug: 'Not A Slug' }, 'slug'],
      ['POST', '/api/projects', { name: 'ok', admin: true }, 'admin'],
      ['POST', '/api/projects', [1, 2], 'name'],
      ['POST', '/api/projects', 'null', 'name'],
      ['PUT', `/api/projects/${'p'}`, { name: 'x' }, 'id'],
      ['PUT', '/api/projects/PROJECT_ID', { testSuiteEnabled: 'false' }, 'id'],
      ['PUT', `/api/projects/{id}`, { testSuiteEnabled: 'true' }, 'testSuiteEnabled'],
      ['PUT', `/api/projects/{id}`, { testGateProduction: 'maybe' }, 'testGateProduction'],
      ['PUT', `/api/projects/{id}`, { version: 'one' }, 'version'],
      ['PUT', `/api/projects/{id}`, { version: 0 }, 'version'],
      ['POST', `/api/projects/{id}/instances`, { instanceId: 'abc' }, 'instanceId'],
      ['POST', `/api/projects/{id}/instances`, {}, 'instanceId'],
      ['GET', '/api/projects?offset=-1', undefined, 'offset'],
      ['GET', '/api/projects?limit=1e3', undefined, 'limit'],
      ['GET', '/api/projects?include_archived=yes', undefined, 'include_archived'],
      ['GET', '/api/projects?unknown=1', undefined, 'unknown'],
      ['GET', '/api/instances/123', undefined, 'id'],
    ];
    for (const [method, rawPath, body, field] of cases) {
      const path = rawPath.replace('{id}', projectId);
      const res = await api.call(method, path, { token, body });
      const label = `${method} ${path} ${JSON.stringify(body)}`;
      expect(res.status, label).toBe(400);
      expect(res.body.code, label).toBe('BAD_REQUEST');
      expect(res.body.issues.map((i: { path: string }) => i.path).join(','), label).toContain(field);
      expect(res.body.message, label).toContain(field);
    }
  });

  it('answers malformed JSON with 400, a wrong content type with 415, an oversized body with 413', async () => {
    const malformed = await api.call('POST', '/api/projects', {
      token,
      body: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed.status).toBe(400);
    expect(malformed.body.code).toBe('PARSE_ERROR');
    for (const type of ['text/plain', 'application/xml', 'application/x-www-form-urlencoded']) {
      const res = await api.call('POST', '/api/projects', { token, body: 'name=x', headers: { 'content-type': type } });
      expect(res.status, type).toBe(415);
      expect(res.body.code, type).toBe('UNSUPPORTED_MEDIA_TYPE');
    }
    const huge = await api.call('POST', '/api/projects', {
      token,
      body: { name: 'x', description: 'y'.repeat(2_000_000) },
    });
    expect(huge.status).toBe(413);
    expect(huge.body.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('answers unknown routes with a JSON 404', async () => {
    const res = await api.call('GET', '/api/nothing-here', { token });
    expect(res.status).toBe(404);
    expect(res.body.code).toBe('NOT_FOUND');
  });

  it('keeps the project untouched after all of that', async () => {
    const res = await api.call('GET', `/api/projects/${projectId}`, { token });
    expect(res.body).toMatchObject({ name: 'Target', version: 1, testSuiteEnabled: false });
  });
});
