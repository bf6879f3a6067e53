import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ProjectSchema, routePush } from '@ocore/core';
import { buildWebhooksServer } from '@ocore/webhooks';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo } from './helpers/git.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
let admin: string;
const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token();
});
afterAll(() => stack?.close());

/** A project on `provider` whose repository is a real local repository, mapped to one instance. */
async function setup(provider: 'gitlab' | 'bitbucket' | 'github', name: string, pattern: string) {
  const repo = createTestRepo('acme', name);
  const projectId = (await call('POST', '/api/projects', { name })).body.id;
  const connected = await call('POST', `/api/projects/${projectId}/repository`, { repoUrl: repo.url, provider });
  const instanceId = (await call('POST', '/api/instances', { name: `${name} target`, environment: 'staging' })).body.id;
  await call('PUT', `/api/projects/${projectId}/branch-mappings`, {
    mappings: [{ branchPattern: pattern, instanceId, priority: 0 }],
  });
  return { repo, projectId, instanceId, secret: connected.body.manualSetup.webhookSecret as string };
}

const deploymentsOf = async (projectId: string) =>
  (await call('GET', `/api/projects/${projectId}/deployments?limit=100`)).body.deployments as Array<{
    id: string;
    status: string;
    commitSha: string;
    ref: string;
  }>;

describe('GitLab and Bitbucket pushes deploy too', () => {
  it("a GitLab push (GitLab's documented payload, X-Gitlab-Token) deploys the branch", async () => {
    const { repo, projectId, secret } = await setup('gitlab', 'gitlab-push', 'master');
    const sha = repo.commit({ 'gl.txt': 'gitlab\n' }, 'GitLab change', 'master');
    const payload = examplePayload('gitlab/gitlab-docs/webhook_events.push.json');
    payload.after = sha;
    payload.checkout_sha = sha;
    payload.commits = [{ ...payload.commits[0], id: sha, message: 'GitLab change' }];
    const body = JSON.stringify(payload);
    const res = await stack.deliver('gitlab', projectId, body, signedHeaders('gitlab', secret, body, 'Push Hook'));
    expect(res.status).toBe(202);
    const list = await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l.some((d) => d.status === 'succeeded'),
    );
    expect(list[0]).toMatchObject({ commitSha: sha, ref: 'master' });
  });

  it('a GitLab tag push deploys through a tags/ mapping', async () => {
    const { repo, projectId, secret } = await setup('gitlab', 'gitlab-tags', 'tags/v*');
    const sha = repo.commit({ 't.txt': 't\n' }, 'tagged');
    const payload = examplePayload('gitlab/gitlab-docs/webhook_events.tag_push.json');
    payload.after = sha;
    payload.checkout_sha = sha;
    const body = JSON.stringify(payload);
    expect(
      (await stack.deliver('gitlab', projectId, body, signedHeaders('gitlab', secret, body, 'Tag Push Hook'))).status,
    ).toBe(202);
    const list = await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l.some((d) => d.status === 'succeeded'),
    );
    expect(list[0]).toMatchObject({ commitSha: sha, ref: 'v1.0.0' });
  });

  it('a Bitbucket push with several changes deploys each mapped branch (X-Hub-Signature)', async () => {
    const { repo, projectId, secret } = await setup('bitbucket', 'bitbucket-push', 'ma*');
    const main = repo.commit({ 'm.txt': 'main\n' }, 'main change', 'main');
    const manchu = repo.commit({ 'x.txt': 'manchu\n' }, 'manchu change', 'manchu');
    const payload = examplePayload('bitbucket/jenkins-bitbucket-branch-source/push-events/multipleChangesPayload.json');
    payload.push.changes[0].new.target.hash = main;
    payload.push.changes[1].new.target.hash = manchu;
    const body = JSON.stringify(payload);
    const res = await stack.deliver(
      'bitbucket',
      projectId,
      body,
      signedHeaders('bitbucket', secret, body, 'repo:push'),
    );
    expect(res.status).toBe(202);
    const list = await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l.filter((d) => ['succeeded', 'superseded'].includes(d.status)).length === 2,
    );
    // Both changes target the one instance: the newer commit wins, the older queued one is superseded.
    expect(list.map((d) => d.commitSha).sort()).toEqual([main, manchu].sort());
  });
});

describe('queueing', () => {
  it('supersedes an older queued deployment of the same instance', async () => {
    const { repo, projectId } = await setup('github', 'supersede', 'main');
    const first = repo.commit({ 'a.txt': '1\n' }, 'one');
    const second = repo.commit({ 'a.txt': '2\n' }, 'two');
    const em = stack.orm.em.fork();
    const project = await em.findOneOrFail(ProjectSchema, { id: projectId }, { populate: ['branchMappings'] });
    const push = (after: string) => ({
      refKind: 'branch' as const,
      refName: 'main',
      before: null,
      after,
      forced: false,
      deleted: false,
      created: false,
      headCommitMessage: 'x',
      pusher: 'dev',
      providerRepoId: null,
    });
    // Both routed in one transaction, before any worker can pick the first up.
    await em.transactional(async (tem) => {
      await routePush(tem, stack.boss, project, push(first), { trigger: 'webhook', deliveryId: 'a' });
      await routePush(tem, stack.boss, project, push(second), { trigger: 'webhook', deliveryId: 'b' });
    });
    const list = await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l.some((d) => d.status === 'succeeded'),
    );
    const byCommit = Object.fromEntries(list.map((d) => [d.commitSha, d.status]));
    expect(byCommit).toEqual({ [first]: 'superseded', [second]: 'succeeded' });
    const superseded = (await call('GET', `/api/deployments/${list.find((d) => d.commitSha === first)?.id}`)).body;
    expect(superseded.statusReason).toMatch(/^superseded by deployment /);
    expect(readFileSync(join(stack.dataDir, 'instances', 'supersede-target', 'current', 'a.txt'), 'utf8')).toBe('2\n');
  });
});

describe('a database outage during ingest', () => {
  it('answers 503, stores nothing, and the redelivery deploys', async () => {
    const { repo, projectId, secret } = await setup('github', 'outage', 'main');
    const sha = repo.commit({ 'o.txt': 'o\n' }, 'during outage');
    const payload = examplePayload('github/octokit-webhooks/push/with-new-branch.payload.json');
    const body = JSON.stringify({
      ...payload,
      ref: 'refs/heads/main',
      after: sha,
      deleted: false,
      head_commit: { ...payload.head_commit, id: sha },
    });
    const headers = signedHeaders('github', secret, body, 'push', 'outage-delivery');
    // A receiver whose database is unreachable (nothing listens on port 1).
    const deadPool = new pg.Pool({
      connectionString: 'postgresql://postgres:postgres@127.0.0.1:1/none',
      connectionTimeoutMillis: 500,
    });
    const down = await buildWebhooksServer({
      receiver: {
        pool: deadPool,
        boss: stack.boss,
        secrets: stack.repositories.secrets,
        log: stack.repositories.log,
        rejected: new Map(),
      },
      logger: stack.repositories.log,
    });
    const url = await down.listen({ host: '127.0.0.1', port: 0 });
    const refused = await fetch(`${url}/api/webhooks/github/${projectId}`, { method: 'POST', headers, body });
    expect(refused.status).toBe(503);
    expect(await refused.json()).toEqual({ code: 'UNAVAILABLE', message: 'try again later' });
    await down.close();
    await deadPool.end();
    const stored: Array<{ n: number }> = await stack.orm.em
      .fork()
      .execute("select count(*)::int as n from webhook_deliveries where delivery_id = 'outage-delivery'");
    expect(stored[0]?.n).toBe(0);
    // The provider redelivers the same delivery to a healthy receiver.
    expect((await stack.deliver('github', projectId, body, headers)).status).toBe(202);
    await stack.waitFor(
      () => deploymentsOf(projectId),
      (l) => l.some((d) => d.commitSha === sha && d.status === 'succeeded'),
    );
  });

  it('refuses a body over 25 MB with 413', async () => {
    const { projectId, secret } = await setup('github', 'too-big', 'main');
    const body = JSON.stringify({ ref: 'refs/heads/main', padding: 'x'.repeat(26 * 1024 * 1024) });
    const res = await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'));
    expect(res.status).toBe(413);
  });
});
