import { readFileSync, readlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { gitHttpBackend } from './fakes/git-http.ts';
import { GitHubFake } from './fakes/github.ts';
import { createTestRepo } from './helpers/git.ts';
import { startSshd, type TestSshd } from './helpers/sshd.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const TOKEN = 'ghp_transportToken0000000000000000000000';
let stack: TestStack;
let admin: string;
let github: GitHubFake;
let sshd: TestSshd;

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token();
  github = new GitHubFake();
  await github.start();
  sshd = await startSshd();
}, 60_000);
afterAll(async () => {
  await stack?.close();
  await github?.stop();
  await sshd?.stop();
});

async function deployBranch(projectId: string, instanceId: string, branch: string) {
  const created = await call('POST', `/api/projects/${projectId}/deployments`, { instanceId, branch });
  expect(created.status, JSON.stringify(created.body)).toBe(201);
  return stack.waitFor(
    async () => (await call('GET', `/api/deployments/${created.body.id}`)).body,
    (d) => d.status === 'succeeded' || d.status === 'failed',
  );
}

describe('fetch transports against real servers', () => {
  it('HTTPS with the access token (git http-backend), reporting commit statuses on GitHub Enterprise', async () => {
    const repo = createTestRepo('acme', 'over-https');
    const sha = repo.commit({ 'addon.py': 'print(1)\n' }, 'https commit');
    // One server: GitHub Enterprise's API under /api/v3, git's smart HTTP for the rest.
    github.prefix = '/api/v3';
    github.fallback = gitHttpBackend(dirname(dirname(repo.bare)), TOKEN);
    github.tokens.set(TOKEN, { scopes: ['repo', 'admin:repo_hook'], admin: true });
    const fake = github.addRepo('acme', 'over-https');
    const projectId = (await call('POST', '/api/projects', { name: 'Over HTTPS' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `${github.url}/acme/over-https.git`,
      provider: 'github',
      accessToken: TOKEN,
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    expect(fake.hooks.size).toBe(1);
    const instanceId = (await call('POST', '/api/instances', { name: 'HTTPS target', environment: 'staging' })).body.id;
    await call('POST', `/api/projects/${projectId}/instances`, { instanceId });
    const done = await deployBranch(projectId, instanceId, 'main');
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    expect(done.steps[0].log).toContain('over https');
    expect(JSON.stringify(done)).not.toContain(TOKEN);
    expect(readFileSync(join(stack.dataDir, 'instances', 'https-target', 'current', 'addon.py'), 'utf8')).toBe(
      'print(1)\n',
    );
    // The final status is reported right after the deployment is marked succeeded.
    await stack.waitFor(
      async () => fake.statuses.length,
      (n) => n >= 2,
    );
    expect(fake.statuses.map((s) => [s.sha, s.state, s.context])).toEqual([
      [sha, 'pending', 'ocore/https-target'],
      [sha, 'success', 'ocore/https-target'],
    ]);
    expect(fake.statuses[1]?.target_url).toBe(`${stack.url}/api/deployments/${done.id}`);
  });

  it('HTTPS with a wrong token fails at fetch with the reason in the log', async () => {
    const repo = createTestRepo('acme', 'https-denied');
    repo.commit({ 'a.txt': 'a\n' }, 'c');
    github.fallback = gitHttpBackend(dirname(dirname(repo.bare)), 'another-token');
    github.addRepo('acme', 'https-denied');
    const projectId = (await call('POST', '/api/projects', { name: 'HTTPS denied' })).body.id;
    await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `${github.url}/acme/https-denied.git`,
      provider: 'github',
      accessToken: TOKEN,
    });
    const instanceId = (await call('POST', '/api/instances', { name: 'Denied target', environment: 'staging' })).body
      .id;
    await call('POST', `/api/projects/${projectId}/instances`, { instanceId });
    const res = await call('POST', `/api/projects/${projectId}/deployments`, { instanceId, commitSha: 'f'.repeat(40) });
    const failed = await stack.waitFor(
      async () => (await call('GET', `/api/deployments/${res.body.id}`)).body,
      (d) => d.status === 'failed',
    );
    expect(failed.steps[0]).toMatchObject({ name: 'fetch', status: 'failed' });
    expect(failed.steps[0].log).toMatch(/Authentication failed|401|could not read/i);
    expect(failed.steps[0].log).not.toContain(TOKEN);
  });

  it('SSH with the generated deploy key (OpenSSH server)', async () => {
    const repo = createTestRepo('acme', 'over-ssh');
    repo.commit({ 'ssh.txt': 'via ssh\n' }, 'ssh commit');
    const projectId = (await call('POST', '/api/projects', { name: 'Over SSH' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${repo.bare}`,
      provider: 'gitlab',
    });
    expect(connected.status, JSON.stringify(connected.body)).toBe(201);
    expect(connected.body.authType).toBe('deploy_key');
    sshd.authorize(connected.body.manualSetup.deployKey);
    const instanceId = (await call('POST', '/api/instances', { name: 'SSH target', environment: 'development' })).body
      .id;
    await call('POST', `/api/projects/${projectId}/instances`, { instanceId });
    const done = await deployBranch(projectId, instanceId, 'main');
    expect(done.status, JSON.stringify(done.steps)).toBe('succeeded');
    expect(done.steps[0].log).toContain('over ssh');
    expect(done.steps[0].log).not.toContain('PRIVATE KEY');
    const current = join(stack.dataDir, 'instances', 'ssh-target', 'current');
    expect(readFileSync(join(current, 'ssh.txt'), 'utf8')).toBe('via ssh\n');
    expect(readlinkSync(current)).toContain('releases');
    const knownHosts = readFileSync(join(stack.dataDir, 'mirrors', `${connected.body.id}.known_hosts`), 'utf8');
    expect(knownHosts).toContain('ssh-ed25519');
  });

  it('SSH with a key the server does not know fails at fetch', async () => {
    const repo = createTestRepo('acme', 'ssh-denied');
    repo.commit({ 'x.txt': 'x\n' }, 'x');
    const projectId = (await call('POST', '/api/projects', { name: 'SSH denied' })).body.id;
    await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `ssh://${sshd.user}@127.0.0.1:${sshd.port}${repo.bare}`,
      provider: 'gitlab',
    });
    const instanceId = (await call('POST', '/api/instances', { name: 'SSH denied target', environment: 'development' }))
      .body.id;
    await call('POST', `/api/projects/${projectId}/instances`, { instanceId });
    const res = await call('POST', `/api/projects/${projectId}/deployments`, { instanceId, branch: 'main' });
    expect(res.status).toBe(400);
    expect(res.body.message).toMatch(/could not read the repository/);
  });
});
