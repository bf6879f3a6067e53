import { generateKeyPairSync } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { GithubApp } from '@ocore/core';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitHttpBackend } from './fakes/git-http.ts';
import { type FakeRepo, GitHubFake } from './fakes/github.ts';
import { createTestRepo, type TestRepo } from './helpers/git.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const APP_SECRET = 'app-webhook-secret-for-flow-tests';
let github: GitHubFake;
let stack: TestStack;
let admin: string;
let repo: TestRepo;
let fake: FakeRepo;
const projects: Array<{ id: string; instance: string; slug: string }> = [];

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });
const deploymentsOf = async (projectId: string) =>
  (await call('GET', `/api/projects/${projectId}/deployments`)).body.deployments as Array<{
    status: string;
    commitSha: string;
    statusReason: string | null;
  }>;

beforeAll(async () => {
  github = new GitHubFake();
  await github.start();
  const key = await importSPKI(publicKey.export({ type: 'spki', format: 'pem' }).toString(), 'RS256');
  github.serveApp('77', async (jwt) => Boolean(await jwtVerify(jwt, key).catch(() => null)));
  github.installations.set(5001, { login: 'acme-corp', type: 'Organization' });
  // One GitHub Enterprise host: the API under /api/v3, git's smart HTTP for the rest (installation tokens only).
  repo = createTestRepo('acme-corp', 'odoo-app');
  repo.commit({ 'app.txt': 'v1\n' }, 'first');
  github.prefix = '/api/v3';
  github.fallback = gitHttpBackend(dirname(dirname(repo.bare)), (password) =>
    github.issuedTokens.some((t) => t.token === password),
  );
  fake = github.addRepo('acme-corp', 'odoo-app');
  const app = new GithubApp({
    appId: '77',
    privateKey: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
    webhookSecret: APP_SECRET,
    slug: 'ocore',
    apiBaseUrl: `${github.url}/api/v3`,
    webBaseUrl: github.url,
  });
  stack = await startTestStack({ githubApp: app });
  admin = await stack.token();
  const state =
    new URL((await call('GET', '/api/settings/github-app/install')).body.installUrl).searchParams.get('state') ?? '';
  expect(
    (
      await stack.call(
        'GET',
        `/api/settings/github-app/callback?installation_id=5001&state=${encodeURIComponent(state)}`,
      )
    ).status,
  ).toBe(200);
  for (const name of ['App project one', 'App project two']) {
    const id = (await call('POST', '/api/projects', { name })).body.id;
    const connected = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: `${github.url}/acme-corp/odoo-app.git`,
      provider: 'github',
      authType: 'github_app',
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    const instance = (await call('POST', '/api/instances', { name: `${name} target`, environment: 'staging' })).body;
    await call('PUT', `/api/projects/${id}/branch-mappings`, { branch: 'main', environmentId: instance.id });
    projects.push({ id, instance: instance.id, slug: instance.slug });
  }
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await github?.stop();
});

describe('repositories connected through the GitHub App', () => {
  it('need no deploy key or repository webhook, and list branches through the installation', async () => {
    const repoView = (await call('GET', `/api/projects/${projects[0]?.id}`)).body.gitRepository;
    expect(repoView).toMatchObject({
      authType: 'github_app',
      hasDeployKey: false,
      hasAccessToken: false,
      providerRepoId: String(fake.id),
      webhookUrl: expect.stringMatching(/\/api\/webhooks\/github$/),
    });
    expect(fake.keys.size + fake.hooks.size).toBe(0);
    expect((await call('GET', `/api/projects/${projects[0]?.id}/branches`)).body[0]).toMatchObject({ name: 'main' });
    expect((await call('POST', `/api/projects/${projects[0]?.id}/repository/regenerate-key`)).status).toBe(400);
    const validate = (await call('POST', `/api/projects/${projects[0]?.id}/repository/validate`)).body;
    expect(validate.valid).toBe(true);
  });

  it("deploys a push from the app's webhook to every connected project, once each, cloning with an installation token", async () => {
    const sha = repo.commit({ 'app.txt': 'v2\n' }, 'second');
    const payload = examplePayload('github/octokit-webhooks/push/with-installation.payload.json');
    const body = JSON.stringify({
      ...payload,
      ref: 'refs/heads/main',
      after: sha,
      created: false,
      deleted: false,
      repository: { ...payload.repository, id: fake.id },
      head_commit: { ...payload.head_commit, id: sha, message: 'second' },
    });
    const headers = signedHeaders('github', APP_SECRET, body, 'push');
    const res = await fetch(`${stack.webhooksUrl}/api/webhooks/github`, { method: 'POST', headers, body });
    expect(res.status).toBe(202);
    for (const project of projects) {
      const list = await stack.waitFor(
        () => deploymentsOf(project.id),
        (l) => l.some((d) => d.commitSha === sha && ['succeeded', 'failed'].includes(d.status)),
      );
      expect(
        list.filter((d) => d.commitSha === sha),
        JSON.stringify(list),
      ).toEqual([expect.objectContaining({ status: 'succeeded' })]);
      expect(readFileSync(join(stack.dataDir, 'instances', project.slug, 'current', 'app.txt'), 'utf8')).toBe('v2\n');
    }
    // Each deployment reports a check run: queued, then in_progress, then completed with success.
    await stack.waitFor(
      async () =>
        github.checkRuns
          .filter((r) => r.head_sha === sha || r.status !== 'queued')
          .filter((r) => r.status === 'completed').length,
      (n) => n === 2,
    );
    const runsFor = (id: number) =>
      github.checkRuns.filter((r) => r.id === id).map((r) => `${r.status}${r.conclusion ? `:${r.conclusion}` : ''}`);
    const created = github.checkRuns.filter((r) => r.head_sha === sha && r.status === 'queued');
    expect(created).toHaveLength(2);
    for (const run of created) {
      expect(runsFor(run.id)).toEqual(['queued', 'in_progress', 'completed:success']);
      expect(run.details_url).toMatch(/\/api\/deployments\/[0-9a-f-]{36}$/);
    }
    const forged = await fetch(`${stack.webhooksUrl}/api/webhooks/github`, {
      method: 'POST',
      headers: signedHeaders('github', 'wrong', body, 'push'),
      body,
    });
    expect(forged.status).toBe(401);
  });

  it('follows installation events: a removed repository loses access, a deleted installation is soft-deleted', async () => {
    const send = async (event: string, payload: unknown) => {
      const body = JSON.stringify(payload);
      const res = await fetch(`${stack.webhooksUrl}/api/webhooks/github`, {
        method: 'POST',
        headers: signedHeaders('github', APP_SECRET, body, event),
        body,
      });
      expect(res.status).toBe(202);
      return (await res.json()).id as string;
    };
    const removed = examplePayload('github/octokit-webhooks/installation_repositories/removed.payload.json');
    const id = await send('installation_repositories', {
      ...removed,
      installation: { ...removed.installation, id: 5001 },
      repositories_removed: [{ id: fake.id, name: 'odoo-app', full_name: 'acme-corp/odoo-app' }],
    });
    await stack.waitFor(
      async () =>
        (await stack.orm.em.fork().execute('select status from webhook_deliveries where id = ?', [id])) as Array<{
          status: string;
        }>,
      (rows) => rows[0]?.status === 'accepted',
    );
    for (const project of projects) {
      expect((await call('GET', `/api/projects/${project.id}/repository/sync/status`)).body).toMatchObject({
        syncStatus: 'access_denied',
        syncError: 'the repository was removed from the GitHub App installation',
      });
    }
    const deleted = examplePayload('github/octokit-webhooks/installation/deleted.payload.json');
    const deletedId = await send('installation', { ...deleted, installation: { ...deleted.installation, id: 5001 } });
    await stack.waitFor(
      async () =>
        (await stack.orm.em
          .fork()
          .execute('select status from webhook_deliveries where id = ?', [deletedId])) as Array<{ status: string }>,
      (rows) => rows[0]?.status === 'accepted',
    );
    expect((await call('GET', '/api/settings/github-app/installations')).body.installations).toEqual([]);
  });
});
