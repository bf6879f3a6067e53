import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { type RemoteCleanup, runRemoteCleanup } from '@ocore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFake } from './fakes/github.ts';
import { startTestApi, type TestApi } from './helpers/api.ts';

const TOKEN = 'ghp_fullAccessToken000000000000000000000';
const HOOK_ONLY = 'ghp_hookOnlyToken0000000000000000000000';
const READ_ONLY = 'ghp_readOnlyToken0000000000000000000000';

let api: TestApi;
let github: GitHubFake;
let admin: string;
/** Every response body this test received, to prove no secret ever left the API. */
const seen: string[] = [];

beforeAll(async () => {
  github = new GitHubFake();
  await github.start();
  github.tokens.set(TOKEN, { scopes: ['repo', 'admin:repo_hook'], admin: true });
  github.tokens.set(HOOK_ONLY, { scopes: ['admin:repo_hook'], admin: true });
  github.tokens.set(READ_ONLY, { scopes: ['repo'], admin: false });
  api = await startTestApi({ providers: { githubApiUrl: github.url } });
  admin = await api.token();
});
afterAll(async () => {
  await api?.close();
  await github?.stop();
});

async function call(method: string, path: string, body?: unknown) {
  const res = await api.call(method, path, { token: admin, body });
  seen.push(JSON.stringify(res.body ?? ''));
  return res;
}
async function newProject(name: string): Promise<string> {
  return (await call('POST', '/api/projects', { name })).body.id;
}

describe('a GitHub repository connected with a token', () => {
  it('reads the repository, registers a read-only deploy key and a signed push webhook', async () => {
    const repo = github.addRepo('acme', 'odoo-custom', { defaultBranch: 'develop' });
    const id = await newProject('GitHub happy path');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'git@github.com:acme/odoo-custom.git',
      provider: 'github',
      authType: 'access_token',
      accessToken: TOKEN,
      repoOwner: 'acme',
      repoName: 'odoo-custom',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      provider: 'github',
      repoOwner: 'acme',
      repoName: 'odoo-custom',
      providerRepoId: String(repo.id),
      githubRepoId: repo.id,
      defaultBranch: 'develop',
      authType: 'access_token',
      hasAccessToken: true,
      hasDeployKey: true,
      hasWebhook: true,
      deployKeyRegistered: true,
      webhookRegistered: true,
      webhookUrl: `https://hooks.ocore.test/api/webhooks/github/${id}`,
      syncStatus: 'synced',
      providerCapabilities: { webhooks: true, deployKeys: true },
    });
    expect(res.body.manualSetup).toBeUndefined();
    const [key] = [...repo.keys.values()];
    expect(key).toMatchObject({ read_only: true, key: res.body.deployKeyPublic });
    const [hook] = [...repo.hooks.values()];
    expect(hook).toMatchObject({
      active: true,
      events: ['push', 'repository'],
      config: { url: res.body.webhookUrl, content_type: 'json' },
    });
    expect(hook?.config.secret).toMatch(/^[0-9a-f]{64}$/);

    const project = (await call('GET', `/api/projects/${id}`)).body;
    expect(project.gitRepository).toMatchObject({ id: res.body.id, repoName: 'odoo-custom' });

    // Secrets are sealed at rest: no column holds the token, webhook secret or private key in clear.
    const rows = await api.orm.em.fork().execute('select * from git_repositories where id = ?', [res.body.id]);
    const dump = JSON.stringify(rows);
    expect(dump).not.toContain(TOKEN);
    expect(dump).not.toContain(hook?.config.secret);
    expect(dump).not.toContain('BEGIN OPENSSH PRIVATE KEY');
    expect(dump).toContain('v1:test:');
  });

  it('refuses a second repository with 409', async () => {
    github.addRepo('acme', 'second');
    const id = await newProject('Two repos');
    expect(
      (
        await call('POST', `/api/projects/${id}/repository`, {
          repoUrl: 'https://github.com/acme/second',
          accessToken: TOKEN,
        })
      ).status,
    ).toBe(201);
    const again = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/second',
      accessToken: TOKEN,
    });
    expect(again.status).toBe(409);
  });

  it('lists every branch and tag across pages, default branch first', async () => {
    const branches = Array.from({ length: 150 }, (_, i) => ({
      name: `feature/f${String(i).padStart(3, '0')}`,
      sha: `${i}`.padStart(40, '0'),
    }));
    const tags = Array.from({ length: 120 }, (_, i) => ({ name: `v1.${i}`, sha: `${i}`.padStart(40, 'f') }));
    github.addRepo('acme', 'many-refs', {
      branches: [...branches, { name: 'main', sha: 'e'.repeat(40), protected: true }],
      tags,
    });
    const id = await newProject('Many refs');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/many-refs.git',
      accessToken: TOKEN,
    });
    const listed = await call('GET', `/api/projects/${id}/branches`);
    expect(listed.status).toBe(200);
    expect(listed.body).toHaveLength(151);
    expect(listed.body[0]).toEqual({ name: 'main', commitSha: 'e'.repeat(40), protected: true, isDefault: true });
    expect(github.count('GET', /many-refs\/branches$/)).toBe(2);
    const tagList = await call('GET', `/api/orgs/acme/projects/${id}/tags`);
    expect(tagList.body).toHaveLength(120);
    expect(tagList.body[0]).toMatchObject({ name: expect.stringMatching(/^v1\./), commitSha: expect.any(String) });
  });

  it('validates access check by check without changing anything', async () => {
    const repo = github.addRepo('acme', 'validated');
    const id = await newProject('Validated');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/validated',
      accessToken: TOKEN,
    });
    const writes = github.log.filter((l) => l.method !== 'GET').length;
    const ok = await call('POST', `/api/orgs/acme/projects/${id}/repository/validate`);
    expect(ok.status).toBe(200);
    expect(ok.body.valid).toBe(true);
    expect(ok.body.checks.map((c: { name: string; status: string }) => [c.name, c.status])).toEqual([
      ['repository_reachable', 'pass'],
      ['token_scopes', 'pass'],
      ['deploy_key_present', 'pass'],
      ['webhook_present', 'pass'],
    ]);
    repo.hooks.clear();
    repo.keys.clear();
    const broken = await call('POST', `/api/projects/${id}/repository/validate`);
    expect(broken.body.valid).toBe(false);
    const byName = Object.fromEntries(
      broken.body.checks.map((c: { name: string; status: string; detail: string }) => [c.name, c]),
    );
    expect(byName.webhook_present).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('deleted on the provider'),
    });
    expect(byName.deploy_key_present).toMatchObject({
      status: 'fail',
      detail: expect.stringContaining('removed on the provider'),
    });
    expect(github.log.filter((l) => l.method !== 'GET').length).toBe(writes);
  });

  it('regenerates the key: registers the new one, removes the old one', async () => {
    const repo = github.addRepo('acme', 'rekeyed');
    const id = await newProject('Rekeyed');
    const before = (
      await call('POST', `/api/projects/${id}/repository`, {
        repoUrl: 'https://github.com/acme/rekeyed',
        accessToken: TOKEN,
      })
    ).body;
    const after = await call('POST', `/api/projects/${id}/repository/regenerate-key`);
    expect(after.status).toBe(200);
    expect(after.body.deployKeyPublic).not.toBe(before.deployKeyPublic);
    expect([...repo.keys.values()].map((k) => k.key)).toEqual([after.body.deployKeyPublic]);
  });

  it('reconfigures the webhook with a new secret, and pushes a new secret set by PUT', async () => {
    const repo = github.addRepo('acme', 'rehooked');
    const id = await newProject('Rehooked');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/rehooked',
      accessToken: TOKEN,
    });
    const firstSecret = [...repo.hooks.values()][0]?.config.secret;
    const res = await call('POST', `/api/projects/${id}/repository/reconfigure-webhook`);
    expect(res.status).toBe(200);
    expect(repo.hooks.size).toBe(1);
    const hook = [...repo.hooks.values()][0];
    expect(hook?.config.secret).not.toBe(firstSecret);
    expect(hook?.config.url).toBe(res.body.webhookUrl);
    const secret = 'a-brand-new-shared-secret-value';
    const put = await call('PUT', `/api/projects/${id}/repository`, {
      webhookSecret: secret,
      pollingEnabled: true,
      defaultBranch: 'release',
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ pollingEnabled: true, defaultBranch: 'release' });
    expect([...repo.hooks.values()][0]?.config.secret).toBe(secret);
    const badUrl = await call('PUT', `/api/projects/${id}/repository`, { repoUrl: 'https://gitlab.com/x/y' });
    expect(badUrl.status).toBe(400);
    expect(badUrl.body.issues[0].path).toBe('provider');
  });

  it('disconnects, removing the webhook and the deploy key', async () => {
    const repo = github.addRepo('acme', 'disconnected');
    const id = await newProject('Disconnected');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/disconnected',
      accessToken: TOKEN,
    });
    const res = await call('DELETE', `/api/projects/${id}/repository`);
    expect(res.status).toBe(204);
    expect(repo.hooks.size).toBe(0);
    expect(repo.keys.size).toBe(0);
    expect((await call('GET', `/api/projects/${id}`)).body.gitRepository).toBeNull();
    expect((await call('DELETE', `/api/projects/${id}/repository`)).status).toBe(404);
  });

  it('deleting a project disconnects its repository first', async () => {
    const repo = github.addRepo('acme', 'deleted-with-project');
    const id = await newProject('Deleted with project');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/deleted-with-project',
      accessToken: TOKEN,
    });
    expect((await call('DELETE', `/api/projects/${id}`)).status).toBe(204);
    expect(repo.hooks.size + repo.keys.size).toBe(0);
  });
});

describe('GitHub failures', () => {
  it('names the missing scope and leaves nothing behind when the token cannot add keys', async () => {
    const repo = github.addRepo('acme', 'scoped');
    const id = await newProject('Scoped');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/scoped',
      accessToken: HOOK_ONLY,
    });
    expect(res.status).toBe(403);
    expect(res.body.message).toContain('add deploy key failed');
    expect(res.body.message).toContain('repo scope');
    expect(res.body.message).toContain('Resource not accessible by personal access token');
    expect(repo.keys.size + repo.hooks.size).toBe(0);
    expect((await call('GET', `/api/projects/${id}`)).body.gitRepository).toBeNull();
  });

  it('rolls back the deploy key when webhook creation fails after it', async () => {
    const repo = github.addRepo('acme', 'rollback');
    const id = await newProject('Rollback');
    github.failNext('POST', /rollback\/hooks$/, 422);
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/rollback',
      accessToken: TOKEN,
    });
    expect(res.status).toBe(400);
    expect(res.body.message).toContain('create webhook failed');
    expect(github.count('POST', /rollback\/keys$/)).toBe(1);
    expect(github.count('DELETE', /rollback\/keys\/\d+$/)).toBe(1);
    expect(repo.keys.size + repo.hooks.size).toBe(0);
    expect((await call('GET', `/api/projects/${id}`)).body.gitRepository).toBeNull();
  });

  it('says a repository is not found or not accessible', async () => {
    const id = await newProject('Missing');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/does-not-exist',
      accessToken: TOKEN,
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0]).toEqual({
      path: 'repoUrl',
      message: 'repository not found or not accessible with these credentials',
    });
  });

  it('rejects a revoked token as a bad accessToken', async () => {
    github.addRepo('acme', 'revoked');
    const id = await newProject('Revoked');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/revoked',
      accessToken: 'ghp_unknown',
    });
    expect(res.status).toBe(400);
    expect(res.body.issues[0].path).toBe('accessToken');
  });

  it('retries 5xx and 429 with backoff, then gives a clear 502', async () => {
    const repo = github.addRepo('acme', 'flaky');
    const id = await newProject('Flaky');
    github.failNext('GET', /acme\/flaky$/, 502, 1);
    github.failNext('POST', /flaky\/keys$/, 429, 1, { 'retry-after': '0' });
    const ok = await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/flaky',
      accessToken: TOKEN,
    });
    expect(ok.status).toBe(201);
    expect(repo.keys.size).toBe(1);
    const id2 = await newProject('Down');
    github.addRepo('acme', 'down');
    github.failNext('GET', /acme\/down$/, 503, 10);
    const down = await call('POST', `/api/projects/${id2}/repository`, {
      repoUrl: 'https://github.com/acme/down',
      accessToken: TOKEN,
    });
    expect(down.status).toBe(502);
    expect(down.body).toMatchObject({
      code: 'BAD_GATEWAY',
      message: expect.stringContaining('read repository failed'),
    });
    expect(github.count('GET', /acme\/down$/)).toBe(3);
  });

  it('disconnects locally while GitHub is down, reports it and schedules the cleanup', async () => {
    const repo = github.addRepo('acme', 'outage');
    const id = await newProject('Outage');
    await call('POST', `/api/projects/${id}/repository`, {
      repoUrl: 'https://github.com/acme/outage',
      accessToken: TOKEN,
    });
    github.down = true;
    let res: Awaited<ReturnType<typeof api.call>>;
    let warnings: string | null;
    try {
      const response = await fetch(`${api.url}/api/projects/${id}/repository`, {
        method: 'DELETE',
        headers: { authorization: `Bearer ${admin}` },
      });
      res = { status: response.status, body: await response.text() };
      warnings = response.headers.get('x-ocore-warnings');
    } finally {
      github.down = false;
    }
    expect(res.status).toBe(204);
    expect(JSON.parse(warnings ?? '[]')).toEqual([
      expect.stringContaining('delete webhook failed'),
      expect.stringContaining('remove deploy key failed'),
    ]);
    expect((await call('GET', `/api/projects/${id}`)).body.gitRepository).toBeNull();
    const jobs: Array<{ data: RemoteCleanup }> = await api.orm.em
      .fork()
      .execute("select data from pgboss.job where name = 'repository.cleanup'");
    const job = jobs.find((j) => j.data.ref.name === 'outage');
    if (!job) throw new Error('no cleanup job was queued');
    expect(job.data).toMatchObject({ provider: 'github', ref: { owner: 'acme', name: 'outage' } });
    expect(JSON.stringify(job)).not.toContain(TOKEN);
    // The worker's cleanup, once GitHub is back, removes the leftovers.
    await runRemoteCleanup(job.data, api.repositories);
    expect(repo.hooks.size + repo.keys.size).toBe(0);
  });
});

describe('a GitHub repository connected without a token', () => {
  it("accepts the guide's body and returns what to add by hand, with the secret shown once", async () => {
    const id = await newProject('Manual');
    const res = await call('POST', `/api/projects/${id}/repository`, {
      repositoryUrl: 'git@github.com:acme/odoo-custom.git',
      branch: 'main',
      provider: 'github',
    });
    expect(res.status).toBe(201);
    expect(res.body).toMatchObject({
      authType: 'deploy_key',
      hasAccessToken: false,
      deployKeyRegistered: false,
      webhookRegistered: false,
      defaultBranch: 'main',
    });
    expect(res.body.manualSetup).toMatchObject({
      deployKey: res.body.deployKeyPublic,
      webhookUrl: `https://hooks.ocore.test/api/webhooks/github/${id}`,
      webhookSecret: expect.stringMatching(/^[0-9a-f]{64}$/),
      webhookContentType: 'application/json',
      webhookEvents: ['push'],
    });
    const secret = res.body.manualSetup.webhookSecret;
    const again = await call('GET', `/api/projects/${id}`);
    expect(JSON.stringify(again.body)).not.toContain(secret);
    const validate = await call('POST', `/api/projects/${id}/repository/validate`);
    expect(validate.body.checks.find((c: { name: string }) => c.name === 'webhook_present').status).toBe('skipped');
  });
});

describe('repository calls through @trpc/client', () => {
  it('connect, validate, branches, tags and disconnect', async () => {
    const repo = github.addRepo('acme', 'typed', { tags: [{ name: 'v2', sha: '9'.repeat(40) }] });
    const client = api.trpc(admin);
    const project = await client.projects.create.mutate({ name: 'Typed repository' });
    const connected = await client.repository.connect.mutate({
      id: project.id,
      repoUrl: 'https://github.com/acme/typed',
      accessToken: TOKEN,
    });
    expect(connected.providerRepoId).toBe(String(repo.id));
    expect((await client.repository.validateInOrg.mutate({ orgId: 'acme', id: project.id })).valid).toBe(true);
    expect((await client.repository.branches.query({ id: project.id }))[0]?.isDefault).toBe(true);
    expect(await client.repository.tags.query({ id: project.id })).toEqual([{ name: 'v2', commitSha: '9'.repeat(40) }]);
    const updated = await client.repository.update.mutate({
      id: project.id,
      pollingEnabled: true,
      pollIntervalSeconds: 120,
    });
    expect(updated).toMatchObject({ pollingEnabled: true, pollIntervalSeconds: 120 });
    await client.repository.disconnect.mutate({ id: project.id });
    expect(repo.hooks.size + repo.keys.size).toBe(0);
  });
});

describe('secrets', () => {
  it('never appear in a response or a log line', () => {
    const bodies = seen.join('\n');
    const logs = api.logs.join('\n');
    for (const secret of [TOKEN, HOOK_ONLY, 'BEGIN OPENSSH PRIVATE KEY']) {
      expect(bodies).not.toContain(secret);
      expect(logs).not.toContain(secret);
    }
    for (const repo of github.repos.values()) {
      for (const hook of repo.hooks.values()) {
        if (hook.config.secret) {
          expect(bodies).not.toContain(hook.config.secret);
          expect(logs).not.toContain(hook.config.secret);
        }
      }
    }
  });
});

describe('`ocore project connect-repo` with an access token', () => {
  const CLI = fileURLToPath(new URL('../packages/core/src/cli/ocore.ts', import.meta.url));
  // Asynchronous: the API answering the CLI runs in this process.
  const ocore = (args: string[], env: Record<string, string>) =>
    new Promise<{ status: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [CLI, 'project', ...args], {
        env: { ...process.env, OCORE_API_URL: api.url, OCORE_TOKEN: admin, ...env },
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (c) => {
        stdout += c;
      });
      child.stderr.on('data', (c) => {
        stderr += c;
      });
      child.once('close', (status) => resolve({ status, stdout, stderr }));
    });

  it('reads the token from the named variable and creates the deploy key and webhook on GitHub', async () => {
    const repo = github.addRepo('acme', 'cli-connected');
    const id = await newProject('CLI with token');
    const out = await ocore(
      ['connect-repo', id, '--url', 'https://github.com/acme/cli-connected.git', '--access-token-env', 'GH_TOKEN'],
      { GH_TOKEN: TOKEN },
    );
    expect(out.stderr).toBe('');
    expect(out.status).toBe(0);
    expect(out.stdout).toContain('deploy key and webhook were created on the provider');
    expect(out.stdout).not.toContain(TOKEN);
    expect(repo.keys.size).toBe(1);
    expect(repo.hooks.size).toBe(1);
  });

  it('says what is missing: the token variable, the bearer token, a reachable API', async () => {
    const unset = await ocore(['connect-repo', 'x', '--url', 'u', '--access-token-env', 'NOT_SET_ANYWHERE'], {});
    expect(unset.status).toBe(1);
    expect(unset.stderr).toBe('ocore project: --access-token-env: NOT_SET_ANYWHERE is not set\n');
    const noBearer = await ocore(['mappings', 'x'], { OCORE_TOKEN: '', TOKEN: '' });
    expect(noBearer.stderr).toMatch(/set OCORE_TOKEN \(or TOKEN\)/);
    const down = await ocore(['mappings', 'x', '--api', 'http://127.0.0.1:1'], {});
    expect(down.stderr).toMatch(/^ocore project: cannot reach the API at http:\/\/127\.0\.0\.1:1/);
    const unknown = await ocore(['frobnicate'], {});
    expect(unknown.stderr).toMatch(/unknown project command frobnicate/);
  });
});
