import SwaggerParser from '@apidevtools/swagger-parser';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestApi, type TestApi } from './helpers/api.ts';

let api: TestApi;
beforeAll(async () => {
  api = await startTestApi();
});
afterAll(() => api?.close());

const PROJECT_ROUTES = [
  'get /projects',
  'post /projects',
  'get /projects/{id}',
  'put /projects/{id}',
  'delete /projects/{id}',
  'put /projects/{id}/archive',
  'put /projects/{id}/unarchive',
  'post /projects/{id}/clone',
  'post /projects/{id}/instances',
  'delete /projects/{id}/instances/{instanceId}',
  'get /projects/{id}/branch-mappings',
  'put /projects/{id}/branch-mappings',
  'post /projects/{id}/repository',
  'put /projects/{id}/repository',
  'delete /projects/{id}/repository',
  'post /projects/{id}/repository/reconfigure-webhook',
  'post /projects/{id}/repository/regenerate-key',
  'post /projects/{id}/repository/validate',
  'get /projects/{id}/branches',
  'get /projects/{id}/tags',
  'get /projects/{id}/deployments',
  'post /projects/{id}/deployments',
  'get /projects/{id}/webhook-deliveries',
  'get /projects/{id}/webhook-deliveries/{deliveryId}',
  'post /projects/{id}/webhook-deliveries/{deliveryId}/redeliver',
  'get /projects/{id}/repository/health',
  'post /projects/{id}/repository/sync',
  'get /projects/{id}/repository/sync/status',
  'get /projects/{id}/cfg',
  'put /projects/{id}/cfg',
  'get /projects/{id}/cfg/{path}',
  'put /projects/{id}/cfg/{path}',
  'get /projects/{id}/audit',
  'get /projects/{id}/access',
  'post /projects/{id}/access',
  'post /projects/{id}/access/bulk',
  'post /projects/{id}/move',
];
const OTHER_ROUTES = [
  'get /instances',
  'post /instances',
  'get /instances/{id}',
  'put /instances/{id}',
  'delete /instances/{id}',
  'get /deployments/{id}',
  'post /deployments/{id}/cancel',
  'post /deployments/{id}/redeploy',
  'get /settings/notifications',
  'put /settings/notifications',
  'get /notifications',
  'get /org/audit',
  'get /org/members',
  'put /org/members/{userId}',
  'delete /org/members/{userId}',
  'get /org/teams',
  'post /org/teams',
  'delete /org/teams/{teamId}',
  'put /org/teams/{teamId}/members/{userId}',
  'delete /org/teams/{teamId}/members/{userId}',
  'get /settings/github-app',
  'get /settings/github-app/install',
  'get /settings/github-app/callback',
  'get /settings/github-app/installations',
  'delete /settings/github-app/installations/{installationId}',
];

describe('the OpenAPI document', () => {
  it('validates and lists every REST route, plain and org-scoped', async () => {
    const res = await api.call('GET', '/api/openapi.json');
    expect(res.status).toBe(200);
    const doc = structuredClone(res.body);
    await SwaggerParser.validate(doc);
    const listed = new Set<string>();
    for (const [path, item] of Object.entries(res.body.paths as Record<string, Record<string, unknown>>)) {
      for (const method of Object.keys(item)) listed.add(`${method} ${path}`);
    }
    const expected = [
      ...PROJECT_ROUTES,
      ...PROJECT_ROUTES.map((r) => r.replace(' /projects', ' /orgs/{orgId}/projects')),
      ...OTHER_ROUTES,
    ];
    for (const route of expected) expect(listed, route).toContain(route);
    expect(listed.size).toBe(expected.length);
  });

  it('documents 201 for creates and 204 for deletes', async () => {
    const { body } = await api.call('GET', '/api/openapi.json');
    expect(Object.keys(body.paths['/projects'].post.responses)).toContain('201');
    expect(Object.keys(body.paths['/projects/{id}'].delete.responses)).toContain('204');
    expect(Object.keys(body.paths['/projects/{id}'].delete.responses)).not.toContain('200');
  });

  it('serves the rendered API reference at /api/docs', async () => {
    const page = await fetch(`${api.url}/api/docs`);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('oCore Projects API');
    expect(html).toContain('<script src="js/scalar.js">');
    expect(page.url).toBe(`${api.url}/api/docs/`);
    const script = await fetch(`${api.url}/api/docs/js/scalar.js`);
    expect(script.status).toBe(200);
    expect((await script.text()).length).toBeGreaterThan(100_000);
  });
});
