import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BitbucketFake } from './fakes/bitbucket.ts';
import { GitLabFake } from './fakes/gitlab.ts';
import { startTestApi, type TestApi } from './helpers/api.ts';

const GL_TOKEN = 'glpat-maintainer000000000000';
const GL_READ = 'glpat-readapi00000000000000';
const BB_EMAIL_TOKEN = 'dev@acme.test:ATATT3xFfGF0apitoken';
const BB_ACCESS_TOKEN = 'ATCTT3xFfGF0repoaccesstoken';
const BB_NO_WEBHOOK = 'ATCTT3xFfGF0nowebhookscope';

let api: TestApi;
let gitlab: GitLabFake;
let bitbucket: BitbucketFake;
let admin: string;

beforeAll(async () => {
  gitlab = new GitLabFake();
  bitbucket = new BitbucketFake();
  await gitlab.start();
  await bitbucket.start();
  gitlab.tokens.set(GL_TOKEN, { scopes: ['api'], accessLevel: 40 });
  gitlab.tokens.set(GL_READ, { scopes: ['read_api'], accessLevel: 30 });
  bitbucket.credentials.set(`Basic ${Buffer.from(BB_EMAIL_TOKEN).toString('base64')}`, [
    'repository',
    'repository:admin',
    'webhook',
    'repository:write',
  ]);
  bitbucket.credentials.set(`Bearer ${BB_ACCESS_TOKEN}`, ['repository', 'repository:admin', 'webhook']);
  bitbucket.credentials.set(`Bearer ${BB_NO_WEBHOOK}`, ['repository', 'repository:admin']);
  api = await startTestApi({ providers: { gitlabApiUrl: gitlab.url, bitbucketApiUrl: `${bitbucket.url}/2.0` } });
  admin = await api.token();
});
afterAll(async () => {
  await api?.close();
  await gitlab?.stop();
  await bitbucket?.stop();
});

const call = (method: string, path: string, body?: unknown) => api.call(method, path, { token: admin, body });
const newProject = async (name: string): Promise<string> => (await call('POST', '/api/projects', { name })).body.id;

describe('GitLab (self-managed, nested groups)', () => {
  it('connects, validates, lists, re-keys, re-hooks and disconnects', async () => {
    const branches = Array.from({ length: 45 }, (_, i) => ({ name: `b${i}`, sha: `${i}`.padStart(40, '1') }));
    const project = gitlab.addProject('platform/odoo', 'erp', {
      defaultBranch: 'b7',
      branches,
      tags: [{ name: 'v1', sha: '2'.repeat(40) }],
    });
    const id = await newProject('GitLab self-managed');
    // A self-managed instance: the API lives on the repository's own host.
    const url = `${gitlab.url}/platform/odoo/erp.git`;
    const connected = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: url,
      provider: 'gitlab',
      accessToken: GL_TOKEN,
    });
    expect(connected.status).toBe(201);
    expect(connected.body).toMatchObject({
      provider: 'gitlab',
      repoOwner: 'platform/odoo',
      repoName: 'erp',
      providerRepoId: String(project.id),
      githubRepoId: null,
      defaultBranch: 'b7',
      deployKeyRegistered: true,
      webhookRegistered: true,
      providerCapabilities: { nestedNamespaces: true },
    });
    const [hook] = [...project.hooks.values()];
    expect(hook).toMatchObject({
      url: `https://hooks.ocore.test/api/webhooks/gitlab/${id}`,
      push_events: true,
      tag_push_events: true,
    });
    expect(hook?.token).toMatch(/^[0-9a-f]{64}$/);
    expect([...project.keys.values()][0]).toMatchObject({ can_push: false, key: connected.body.deployKeyPublic });

    const validate = await call('POST', `/api/projects/${id}/repository/validate`);
    expect(validate.body).toMatchObject({ valid: true });
    expect(validate.body.checks[1].detail).toContain('api');

    const listed = await call('GET', `/api/projects/${id}/branches`);
    expect(listed.body).toHaveLength(45);
    expect(listed.body[0]).toMatchObject({ name: 'b7', isDefault: true });
    expect((await call('GET', `/api/projects/${id}/tags`)).body).toEqual([{ name: 'v1', commitSha: '2'.repeat(40) }]);

    const rekeyed = await call('POST', `/api/projects/${id}/repository/regenerate-key`);
    expect([...project.keys.values()].map((k) => k.key)).toEqual([rekeyed.body.deployKeyPublic]);
    const oldSecret = hook?.token;
    await call('POST', `/api/projects/${id}/repository/reconfigure-webhook`);
    expect(project.hooks.size).toBe(1);
    expect([...project.hooks.values()][0]?.token).not.toBe(oldSecret);

    expect((await call('DELETE', `/api/projects/${id}/repository`)).status).toBe(204);
    expect(project.hooks.size + project.keys.size).toBe(0);
  });

  it('follows GitLab pagination across pages', async () => {
    const project = gitlab.addProject('big', 'repo', {
      branches: Array.from({ length: 230 }, (_, i) => ({ name: `f${i}`, sha: 'd'.repeat(40) })),
    });
    const id = await newProject('GitLab pages');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: `${gitlab.url}/big/repo`,
      provider: 'gitlab',
      accessToken: GL_TOKEN,
    });
    const before = gitlab.count('GET', new RegExp(`projects/${project.id}/repository/branches$`));
    expect((await call('GET', `/api/projects/${id}/branches`)).body).toHaveLength(230);
    expect(gitlab.count('GET', new RegExp(`projects/${project.id}/repository/branches$`)) - before).toBe(3);
  });

  it('explains a token without the api scope, and leaves nothing behind', async () => {
    const project = gitlab.addProject('platform', 'readonly');
    const id = await newProject('GitLab read only');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: `${gitlab.url}/platform/readonly`,
      provider: 'gitlab',
      accessToken: GL_READ,
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('add deploy key failed');
    expect(res.body.message).toContain('api scope and the Maintainer role');
    expect(project.keys.size + project.hooks.size).toBe(0);
  });

  it('says a missing project is not found', async () => {
    const id = await newProject('GitLab missing');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: `${gitlab.url}/nobody/nothing`,
      provider: 'gitlab',
      accessToken: GL_TOKEN,
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].message).toBe('repository not found or not accessible with these credentials');
  });
});

describe('Bitbucket Cloud', () => {
  it('connects with an API token (email:token), lists every page, and disconnects', async () => {
    const repo = bitbucket.addRepo('acme-ws', 'odoo', {
      mainBranch: 'master',
      branches: Array.from({ length: 130 }, (_, i) => ({
        name: i === 0 ? 'master' : `topic-${i}`,
        sha: `${i}`.padStart(40, '3'),
      })),
    });
    const id = await newProject('Bitbucket API token');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'git@bitbucket.org:acme-ws/odoo.git',
      accessToken: BB_EMAIL_TOKEN,
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      provider: 'bitbucket',
      providerRepoId: repo.uuid,
      defaultBranch: 'master',
      webhookRegistered: true,
      deployKeyRegistered: true,
    });
    const [hook] = [...repo.hooks.values()];
    expect(hook).toMatchObject({
      url: `https://hooks.ocore.test/api/webhooks/bitbucket/${id}`,
      events: ['repo:push', 'repo:updated'],
      active: true,
    });
    expect(hook?.secret).toMatch(/^[0-9a-f]{64}$/);
    const branches = await call('GET', `/api/projects/${id}/branches`);
    expect(branches.body).toHaveLength(130);
    expect(branches.body[0]).toMatchObject({ name: 'master', isDefault: true });
    expect((await call('POST', `/api/projects/${id}/repository/validate`)).body.valid).toBe(true);
    expect((await call('DELETE', `/api/projects/${id}/repository`)).status).toBe(204);
    expect(repo.hooks.size + repo.keys.size).toBe(0);
  });

  it('connects with a repository access token (Bearer) and re-keys', async () => {
    const repo = bitbucket.addRepo('acme-ws', 'bearer');
    const id = await newProject('Bitbucket access token');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://bitbucket.org/acme-ws/bearer',
      accessToken: BB_ACCESS_TOKEN,
    });
    expect(res.status).toBe(201);
    const rekeyed = await call('POST', `/api/projects/${id}/repository/regenerate-key`);
    expect([...repo.keys.values()].map((k) => k.key)).toEqual([rekeyed.body.deployKeyPublic]);
  });

  it('rolls back the deploy key when the token lacks the webhook scope', async () => {
    const repo = bitbucket.addRepo('acme-ws', 'nohook');
    const id = await newProject('Bitbucket no webhook scope');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://bitbucket.org/acme-ws/nohook',
      accessToken: BB_NO_WEBHOOK,
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('create webhook failed');
    expect(res.body.message).toContain('webhook scope');
    expect(repo.keys.size + repo.hooks.size).toBe(0);
  });

  it('retries a 500 from Bitbucket and then succeeds', async () => {
    bitbucket.addRepo('acme-ws', 'flaky');
    const id = await newProject('Bitbucket flaky');
    bitbucket.failNext('GET', /acme-ws\/flaky$/, 500, 2);
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://bitbucket.org/acme-ws/flaky',
      accessToken: BB_ACCESS_TOKEN,
    });
    expect(res.status).toBe(201);
  });
});
