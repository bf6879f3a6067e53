import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFake } from './fakes/github.ts';
import { GitLabFake } from './fakes/gitlab.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const TOKEN = 'ghp_syncToken000000000000000000000000000';
const GL_TOKEN = 'glpat-sync00000000000000000';
let stack: TestStack;
let admin: string;
let github: GitHubFake;
let gitlab: GitLabFake;

beforeAll(async () => {
  github = new GitHubFake();
  gitlab = new GitLabFake();
  await github.start();
  await gitlab.start();
  github.tokens.set(TOKEN, { scopes: ['repo', 'admin:repo_hook'], admin: true });
  gitlab.tokens.set(GL_TOKEN, { scopes: ['api'], accessLevel: 40 });
  stack = await startTestStack({ providers: { githubApiUrl: github.url, gitlabApiUrl: gitlab.url } });
  admin = await stack.token();
});
afterAll(async () => {
  await stack?.close();
  await github?.stop();
  await gitlab?.stop();
});

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });

async function connectGitHub(name: string) {
  const fake = github.addRepo('acme', name);
  const projectId = (await call('POST', '/api/projects', { name: `sync ${name}` })).body.id;
  const res = await call('POST', `/api/projects/${projectId}/repository`, {
    repoUrl: `git@github.com:acme/${name}.git`,
    accessToken: TOKEN,
  });
  expect(res.status).toBe(201);
  return { fake, projectId };
}

/** Triggers a sync through the API and waits for the worker to finish it. */
async function sync(projectId: string) {
  const queued = await call('POST', `/api/orgs/acme/projects/${projectId}/repository/sync`);
  expect(queued.status).toBe(200);
  expect(queued.body.syncStatus).toBe('queued');
  return stack.waitFor(
    async () => (await call('GET', `/api/orgs/acme/projects/${projectId}/repository/sync/status`)).body,
    (s) => !['queued', 'syncing'].includes(s.syncStatus),
  );
}

describe('repository sync', () => {
  it('follows a rename and a transfer by provider id, keeping the URL form', async () => {
    const { fake, projectId } = await connectGitHub('before-rename');
    fake.name = 'after-rename';
    fake.owner = 'acme-holding';
    const status = await sync(projectId);
    expect(status).toMatchObject({ syncStatus: 'synced', syncError: null, lastSyncedAt: expect.any(String) });
    const repo = (await call('GET', `/api/projects/${projectId}`)).body.gitRepository;
    expect(repo).toMatchObject({
      repoOwner: 'acme-holding',
      repoName: 'after-rename',
      repoUrl: 'git@github.com:acme-holding/after-rename.git',
    });
  });

  it('picks up a new default branch', async () => {
    const { fake, projectId } = await connectGitHub('new-default');
    fake.defaultBranch = 'production';
    await sync(projectId);
    expect((await call('GET', `/api/projects/${projectId}`)).body.gitRepository.defaultBranch).toBe('production');
  });

  it('recreates a webhook deleted on the provider and re-registers a removed deploy key', async () => {
    const { fake, projectId } = await connectGitHub('healed');
    const secret = [...fake.hooks.values()][0]?.config.secret;
    fake.hooks.clear();
    fake.keys.clear();
    const status = await sync(projectId);
    expect(status.syncStatus).toBe('synced');
    expect(fake.hooks.size).toBe(1);
    expect([...fake.hooks.values()][0]?.config.secret).toBe(secret);
    expect(fake.keys.size).toBe(1);
    expect((await call('POST', `/api/projects/${projectId}/repository/validate`)).body.valid).toBe(true);
  });

  it('reports a deletion, and deployments then fail fast with that reason', async () => {
    const { fake, projectId } = await connectGitHub('deleted');
    github.repos.delete(fake.id);
    const status = await sync(projectId);
    expect(status).toMatchObject({
      syncStatus: 'not_found',
      syncError: 'repository was deleted on GitHub, or this token can no longer see it',
    });
    const instanceId = (await call('POST', '/api/instances', { name: 'Deleted repo target', environment: 'staging' }))
      .body.id;
    await call('POST', `/api/projects/${projectId}/instances`, { instanceId });
    const res = await call('POST', `/api/projects/${projectId}/deployments`, { instanceId, commitSha: 'a'.repeat(40) });
    const failed = await stack.waitFor(
      async () => (await call('GET', `/api/deployments/${res.body.id}`)).body,
      (d) => d.status === 'failed',
    );
    expect(failed.statusReason).toBe(status.syncError);
  });

  it('reports revoked access and archiving', async () => {
    const revoked = await connectGitHub('revoked');
    github.tokens.delete(TOKEN);
    try {
      const status = await sync(revoked.projectId);
      expect(status.syncStatus).toBe('access_denied');
      expect(status.syncError).toContain('revoked');
    } finally {
      github.tokens.set(TOKEN, { scopes: ['repo', 'admin:repo_hook'], admin: true });
    }
    const archived = await connectGitHub('archived');
    archived.fake.archived = true;
    const status = await sync(archived.projectId);
    expect(status).toMatchObject({ syncStatus: 'error', syncError: 'repository is archived on GitHub (read-only)' });
  });

  it('follows a GitLab project transferred to another group', async () => {
    const project = gitlab.addProject('team-a', 'erp');
    const projectId = (await call('POST', '/api/projects', { name: 'gitlab transfer' })).body.id;
    await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `${gitlab.url}/team-a/erp.git`,
      provider: 'gitlab',
      accessToken: GL_TOKEN,
    });
    project.namespace = 'team-b/odoo';
    const status = await sync(projectId);
    expect(status.syncStatus).toBe('synced');
    const repo = (await call('GET', `/api/projects/${projectId}`)).body.gitRepository;
    expect(repo).toMatchObject({ repoOwner: 'team-b/odoo', repoUrl: `${gitlab.url}/team-b/odoo/erp.git` });
  });
});
