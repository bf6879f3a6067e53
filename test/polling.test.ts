import { pollRepository } from '@ocore/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFake } from './fakes/github.ts';
import { createTestRepo } from './helpers/git.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const TOKEN = 'ghp_pollToken000000000000000000000000000';
let stack: TestStack;
let admin: string;
let github: GitHubFake;

beforeAll(async () => {
  github = new GitHubFake();
  await github.start();
  github.tokens.set(TOKEN, { scopes: ['repo', 'admin:repo_hook'], admin: true });
  stack = await startTestStack({ providers: { githubApiUrl: github.url } });
  admin = await stack.token();
});
afterAll(async () => {
  await stack?.close();
  await github?.stop();
});

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });
const poll = (repositoryId: string) =>
  pollRepository(stack.orm.em.fork(), stack.boss, repositoryId, stack.repositories);
const deploymentsOf = async (projectId: string) =>
  (await call('GET', `/api/projects/${projectId}/deployments?limit=100`)).body.deployments as Array<{
    commitSha: string;
    trigger: string;
    status: string;
  }>;

describe('polling', () => {
  it('deploys a new head of a mapped branch once, even when a webhook for the same commit also arrives', async () => {
    const repo = createTestRepo('acme', 'polled');
    repo.commit({ 'a.txt': '1\n' }, 'first');
    const projectId = (await call('POST', '/api/projects', { name: 'Polled' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: repo.url,
      provider: 'github',
      pollingEnabled: true,
    });
    const instanceId = (await call('POST', '/api/instances', { name: 'Polled target', environment: 'staging' })).body
      .id;
    await call('PUT', `/api/projects/${projectId}/branch-mappings`, { branch: 'main', environmentId: instanceId });

    expect(await poll(connected.body.id)).toMatchObject({ changedBranches: [], deployments: 0 }); // records the heads
    const sha = repo.commit({ 'a.txt': '2\n' }, 'second');
    repo.commit({ 'x.txt': 'x\n' }, 'unmapped', 'experiment');
    const found = await poll(connected.body.id);
    expect(found).toMatchObject({ deployments: 1 });
    expect(found?.changedBranches.sort()).toEqual(['experiment', 'main']);
    const [deployment] = await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l[0]?.status === 'succeeded',
    );
    expect(deployment).toMatchObject({ commitSha: sha, trigger: 'poll' });
    expect((await call('GET', `/api/projects/${projectId}`)).body.gitRepository.lastPolledAt).toEqual(
      expect.any(String),
    );

    // The webhook for that same commit arrives late: it does not deploy it again.
    const payload = examplePayload('github/octokit-webhooks/push/with-new-branch.payload.json');
    const body = JSON.stringify({
      ...payload,
      ref: 'refs/heads/main',
      after: sha,
      deleted: false,
      head_commit: { ...payload.head_commit, id: sha },
    });
    await stack.deliver(
      'github',
      projectId,
      body,
      signedHeaders('github', connected.body.manualSetup.webhookSecret, body, 'push'),
    );
    await stack.waitFor(
      async () => (await call('GET', `/api/projects/${projectId}/webhook-deliveries`)).body.deliveries,
      (l) => l[0]?.status === 'ignored',
    );
    expect(await deploymentsOf(projectId)).toHaveLength(1);
    expect(await poll(connected.body.id)).toMatchObject({ changedBranches: [], deployments: 0 });
  });

  it('asks GitHub with ETags: an unchanged repository costs only 304s', async () => {
    const fake = github.addRepo('acme', 'etagged', {
      branches: Array.from({ length: 150 }, (_, i) => ({ name: `b${i}`, sha: `${i}`.padStart(40, '0') })),
    });
    const projectId = (await call('POST', '/api/projects', { name: 'ETagged' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: 'https://github.com/acme/etagged',
      accessToken: TOKEN,
      pollingEnabled: true,
    });
    const first = await poll(connected.body.id);
    expect(first).toMatchObject({ notModified: false, requests: 2 });
    const before = github.notModified;
    const second = await poll(connected.body.id);
    expect(second).toMatchObject({ notModified: true, requests: 2, changedBranches: [] });
    expect(github.notModified - before).toBe(2);
    const branch = fake.branches[120];
    if (branch) branch.sha = 'f'.repeat(40);
    const third = await poll(connected.body.id);
    expect(third).toMatchObject({ notModified: false, changedBranches: ['b120'] });
  });

  it('does nothing for a repository with polling off', async () => {
    const repo = createTestRepo('acme', 'not-polled');
    repo.commit({ 'a.txt': '1\n' }, 'first');
    const projectId = (await call('POST', '/api/projects', { name: 'Not polled' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: repo.url,
      provider: 'github',
    });
    expect(await poll(connected.body.id)).toBeNull();
  });
});
