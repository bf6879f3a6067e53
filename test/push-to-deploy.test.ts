import { spawnSync } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { existsSync, readFileSync, readlinkSync } from 'node:fs';
import { createServer } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo, type TestRepo } from './helpers/git.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
let admin: string;
let repo: TestRepo;
let projectId: string;
let secret: string;
let prodId: string;
let stagingId: string;

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });

/** GitHub's published push example, pointed at our repository's real commit. */
function githubPush(ref: string, before: string, after: string, message: string, extra: Record<string, unknown> = {}) {
  const payload = examplePayload('github/octokit-webhooks/push/payload.json');
  const created = /^0+$/.test(before);
  const head = { ...(payload.head_commit ?? payload.commits?.[0] ?? {}), id: after, message };
  return JSON.stringify({
    ...payload,
    ref,
    before,
    after,
    created,
    deleted: false,
    forced: false,
    head_commit: head,
    ...extra,
  });
}

async function deploymentsOf(instanceId?: string) {
  const query = instanceId ? `?instanceId=${instanceId}&limit=100` : '?limit=100';
  return (await call('GET', `/api/projects/${projectId}/deployments${query}`)).body.deployments as Array<{
    id: string;
    status: string;
    commitSha: string;
    instanceId: string;
  }>;
}

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token();
  repo = createTestRepo('acme', 'odoo-addons');
  repo.commit({ 'README.md': 'first\n' }, 'initial commit');
  projectId = (await call('POST', '/api/projects', { name: 'Push to deploy' })).body.id;
  const connected = await call('POST', `/api/projects/${projectId}/repository`, {
    repoUrl: repo.url,
    provider: 'github',
  });
  expect(connected.status).toBe(201);
  secret = connected.body.manualSetup.webhookSecret;
  prodId = (
    await call('POST', '/api/instances', {
      name: 'Acme Production',
      environment: 'production',
      restartCommand: 'echo "restarted $OCORE_COMMIT_SHA" > "$OCORE_RELEASE_DIR/../../restarted.txt"',
    })
  ).body.id;
  stagingId = (await call('POST', '/api/instances', { name: 'Acme Staging', environment: 'staging' })).body.id;
  const mapped = await call('PUT', `/api/projects/${projectId}/branch-mappings`, {
    mappings: [
      { branchPattern: 'main', instanceId: prodId, priority: 0 },
      { branchPattern: 'release/*', instanceId: stagingId, priority: 0 },
      { branchPattern: 'tags/v*', instanceId: stagingId, priority: 0 },
    ],
  });
  expect(mapped.status).toBe(200);
});
afterAll(() => stack?.close());

describe('push → webhook → deployment', () => {
  it('deploys exactly the pushed commit to the mapped instance', async () => {
    const sha = repo.commit(
      { 'addons/sale_ext/__manifest__.py': "{'name': 'Sale Ext'}\n", 'README.md': 'second\n' },
      'Add sale_ext',
    );
    const body = githubPush('refs/heads/main', '0'.repeat(40), sha, 'Add sale_ext');
    const res = await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'));
    expect(res.status).toBe(202);
    expect(res.body).toMatchObject({ status: 'queued' });
    const [deployment] = await stack.waitFor(
      () => deploymentsOf(prodId),
      (list) => list.length === 1 && ['succeeded', 'failed'].includes(list[0]?.status ?? ''),
    );
    const detail = (await call('GET', `/api/deployments/${deployment?.id}`)).body;
    expect(detail, JSON.stringify(detail.steps)).toMatchObject({
      status: 'succeeded',
      commitSha: sha,
      ref: 'main',
      trigger: 'webhook',
    });
    expect(detail.steps.map((s: { name: string; status: string }) => `${s.name}:${s.status}`)).toEqual([
      'fetch:succeeded',
      'build:succeeded',
      'test:skipped',
      'push:succeeded',
      'restart:succeeded',
    ]);
    const current = join(stack.dataDir, 'instances', 'acme-production', 'current');
    expect(readlinkSync(current)).toBe(detail.releasePath);
    expect(readlinkSync(current)).toMatch(new RegExp(`-${sha.slice(0, 7)}$`));
    expect(readFileSync(join(current, 'addons/sale_ext/__manifest__.py'), 'utf8')).toBe("{'name': 'Sale Ext'}\n");
    expect(readFileSync(join(current, 'README.md'), 'utf8')).toBe('second\n');
    expect(existsSync(join(current, '.git'))).toBe(false);
    expect(readFileSync(join(stack.dataDir, 'instances', 'acme-production', 'restarted.txt'), 'utf8')).toBe(
      `restarted ${sha}\n`,
    );
    // Notifications are recorded right after the status they announce.
    const notes = await stack.waitFor(
      async () => (await call('GET', '/api/notifications')).body.notifications.map((n: { event: string }) => n.event),
      (events: string[]) => events.includes('deployment.succeeded'),
    );
    expect(notes).toEqual(expect.arrayContaining(['deployment.started', 'deployment.succeeded']));
  });

  it('deploys a replayed delivery once, and the same commit once per instance', async () => {
    const sha = repo.commit({ 'README.md': 'third\n' }, 'Third');
    const body = githubPush('refs/heads/main', '0'.repeat(40), sha, 'Third');
    const headers = signedHeaders('github', secret, body, 'push', 'replayed-delivery-1');
    const first = await stack.deliver('github', projectId, body, headers);
    expect(first.status).toBe(202);
    for (let i = 0; i < 9; i++) {
      const again = await stack.deliver('github', projectId, body, headers);
      expect(again.status).toBe(200);
      expect(again.body).toMatchObject({ deliveryId: 'replayed-delivery-1', firstDelivery: first.body.id });
    }
    // A different delivery of the same commit (e.g. a redelivery with a new id) does not deploy again.
    const other = await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'));
    expect(other.status).toBe(202);
    await stack.waitFor(
      () => deploymentsOf(prodId),
      (list) => list.some((d) => d.commitSha === sha && d.status === 'succeeded'),
    );
    await new Promise((r) => setTimeout(r, 300));
    expect((await deploymentsOf(prodId)).filter((d) => d.commitSha === sha)).toHaveLength(1);
  });

  it('rejects a bad signature, an unknown project and a missing repository with the same 401', async () => {
    const body = githubPush('refs/heads/main', '0'.repeat(40), 'a'.repeat(40), 'x');
    const bad = await stack.deliver('github', projectId, body, signedHeaders('github', 'wrong-secret', body, 'push'));
    const unknown = await stack.deliver(
      'github',
      crypto.randomUUID(),
      body,
      signedHeaders('github', secret, body, 'push'),
    );
    const noRepoProject = (await call('POST', '/api/projects', { name: 'No repo' })).body.id;
    const noRepo = await stack.deliver('github', noRepoProject, body, signedHeaders('github', secret, body, 'push'));
    const unsigned = await stack.deliver('github', projectId, body, {
      'content-type': 'application/json',
      'x-github-event': 'push',
    });
    const wrongProvider = await stack.deliver(
      'gitlab',
      projectId,
      body,
      signedHeaders('gitlab', secret, body, 'Push Hook'),
    );
    for (const res of [bad, unknown, noRepo, unsigned, wrongProvider]) {
      expect(res).toEqual({ status: 401, body: { code: 'UNAUTHORIZED', message: 'invalid webhook signature' } });
    }
    expect(stack.rejected.get(projectId)).toBeGreaterThanOrEqual(3);
  });

  it('records pings, deleted branches, unmapped branches and [skip ci] without deploying', async () => {
    const ping = JSON.stringify(examplePayload('github/octokit-webhooks/ping/payload.json'));
    const pinged = await stack.deliver('github', projectId, ping, signedHeaders('github', secret, ping, 'ping'));
    expect(pinged).toMatchObject({ status: 202, body: { status: 'ignored', reason: 'ping' } });

    const featureSha = repo.commit({ 'f.txt': 'f\n' }, 'feature work', 'feature/x');
    const unmapped = githubPush('refs/heads/feature/x', '0'.repeat(40), featureSha, 'feature work');
    const deleted = githubPush('refs/heads/feature/x', featureSha, '0'.repeat(40), '', { deleted: true });
    const skipSha = repo.commit({ 'README.md': 'docs only\n' }, 'Docs only [skip ci]');
    const skipped = githubPush('refs/heads/main', '0'.repeat(40), skipSha, 'Docs only [skip ci]');
    const before = (await deploymentsOf()).length;
    for (const body of [unmapped, deleted, skipped]) {
      expect(
        (await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'))).status,
      ).toBe(202);
    }
    const expected = [
      'ping',
      'no branch mapping matches branch feature/x',
      'branch feature/x was deleted',
      'skipped: [skip ci] in the head commit message',
    ];
    const rows = await stack.waitFor(
      async () =>
        (await stack.orm.em
          .fork()
          .execute(
            "select status, reason from webhook_deliveries where project_id = ? and status <> 'received' order by received_at",
            [projectId],
          )) as Array<{ status: string; reason: string | null }>,
      (list) => expected.every((reason) => list.some((r) => r.status === 'ignored' && r.reason === reason)),
    );
    expect(rows.filter((r) => r.status === 'ignored').map((r) => r.reason)).toEqual(expect.arrayContaining(expected));
    const after = await deploymentsOf();
    expect(after.length).toBe(before + 1);
    expect(after.find((d) => d.commitSha === skipSha)?.status).toBe('skipped');
  });

  it('routes release branches and tags to staging', async () => {
    const sha = repo.commit({ 'rel.txt': '1\n' }, 'release 1', 'release/1.0');
    const body = githubPush('refs/heads/release/1.0', '0'.repeat(40), sha, 'release 1');
    expect((await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'))).status).toBe(
      202,
    );
    await stack.waitFor(
      () => deploymentsOf(stagingId),
      (list) => list.some((d) => d.commitSha === sha && d.status === 'succeeded'),
    );
  });
});

describe('test gates', () => {
  it('a failing test suite blocks a production deployment and keeps the previous release', async () => {
    await call('PUT', `/api/projects/${projectId}`, { testSuiteEnabled: true, testGateProduction: 'block' });
    await call('PUT', `/api/instances/${prodId}`, {
      testCommand: 'test -f tests/ok || { echo "tests failed"; exit 3; }',
    });
    const current = join(stack.dataDir, 'instances', 'acme-production', 'current');
    const previous = readlinkSync(current);
    const sha = repo.commit({ 'README.md': 'broken\n' }, 'Broken change');
    const body = githubPush('refs/heads/main', '0'.repeat(40), sha, 'Broken change');
    await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'));
    const list = await stack.waitFor(
      () => deploymentsOf(prodId),
      (l) => l.some((d) => d.commitSha === sha && d.status === 'failed'),
    );
    const failed = (await call('GET', `/api/deployments/${list.find((d) => d.commitSha === sha)?.id}`)).body;
    expect(failed.statusReason).toContain('test failed');
    const test = failed.steps.find((s: { name: string }) => s.name === 'test');
    expect(test).toMatchObject({ status: 'failed', log: expect.stringContaining('tests failed') });
    expect(failed.steps.find((s: { name: string }) => s.name === 'push').status).toBe('skipped');
    expect(readlinkSync(current)).toBe(previous);

    const fixed = repo.commit({ 'tests/ok': '' }, 'Fix tests');
    const body2 = githubPush('refs/heads/main', sha, fixed, 'Fix tests');
    await stack.deliver('github', projectId, body2, signedHeaders('github', secret, body2, 'push'));
    await stack.waitFor(
      () => deploymentsOf(prodId),
      (l) => l.some((d) => d.commitSha === fixed && d.status === 'succeeded'),
    );
    expect(readlinkSync(current)).toMatch(new RegExp(`-${fixed.slice(0, 7)}$`));
    await call('PUT', `/api/projects/${projectId}`, { testSuiteEnabled: false });
  });
});

describe('manual deployments', () => {
  it('deploys a branch head, cancels and redeploys through the API', async () => {
    const sha = repo.commit({ 'manual.txt': 'm\n' }, 'Manual', 'release/2.0');
    const created = await call('POST', `/api/projects/${projectId}/deployments`, {
      instanceId: stagingId,
      branch: 'release/2.0',
    });
    expect(created.status).toBe(201);
    expect(created.body).toMatchObject({ commitSha: sha, trigger: 'manual', ref: 'release/2.0', refKind: 'branch' });
    const done = await stack.waitFor(
      async () => (await call('GET', `/api/deployments/${created.body.id}`)).body,
      (d) => d.status === 'succeeded' || d.status === 'failed',
    );
    expect(done.status).toBe('succeeded');
    const again = await call('POST', `/api/deployments/${created.body.id}/redeploy`);
    expect(again.status).toBe(201);
    expect(again.body.commitSha).toBe(sha);
    const missing = await call('POST', `/api/projects/${projectId}/deployments`, {
      instanceId: stagingId,
      branch: 'nope',
    });
    expect(missing.status).toBe(400);
    expect(missing.body.issues[0].path).toBe('branch');
    const unlinked = (await call('POST', '/api/instances', { name: 'Elsewhere', environment: 'development' })).body.id;
    const notLinked = await call('POST', `/api/projects/${projectId}/deployments`, {
      instanceId: unlinked,
      commitSha: sha,
    });
    expect(notLinked.status).toBe(400);
    expect(notLinked.body.issues[0].path).toBe('instanceId');
    await stack.waitFor(
      async () => (await call('GET', `/api/deployments/${again.body.id}`)).body,
      (d) => d.status === 'succeeded',
    );
    expect((await call('POST', `/api/deployments/${again.body.id}/cancel`)).status).toBe(409);
  });
});

describe('cancelling a running deployment', () => {
  it('stops the running step at once, kills its commands, and leaves the instance as it was', async () => {
    const cancelProject = (await call('POST', '/api/projects', { name: 'Cancel running' })).body.id;
    await call('POST', `/api/projects/${cancelProject}/repository`, { repoUrl: repo.url, provider: 'github' });
    const marker = `ocore-cancel-${Date.now()}`;
    const instanceId = (
      await call('POST', '/api/instances', {
        name: 'Cancel target',
        environment: 'staging',
        testCommand: `sleep 60 # ${marker}`,
      })
    ).body.id;
    await call('PUT', `/api/projects/${cancelProject}`, { testSuiteEnabled: true, testGateStaging: 'block' });
    await call('PUT', `/api/projects/${cancelProject}/branch-mappings`, { branch: 'main', environmentId: instanceId });
    const created = await call('POST', `/api/projects/${cancelProject}/deployments`, { instanceId, branch: 'main' });
    expect(created.status).toBe(201);
    const read = async () => (await call('GET', `/api/deployments/${created.body.id}`)).body;
    await stack.waitFor(read, (d) =>
      d.steps?.some((step: { name: string; status: string }) => step.name === 'test' && step.status === 'running'),
    );
    const running = () => spawnSync('pgrep', ['-f', marker]).status === 0;
    await stack.waitFor(
      async () => running(),
      (yes) => yes,
    );

    const cancelledAt = Date.now();
    expect((await call('POST', `/api/deployments/${created.body.id}/cancel`)).body.status).toBe('cancelled');
    const done = await stack.waitFor(
      read,
      (d) => d.steps?.every((step: { status: string }) => !['pending', 'running'].includes(step.status)),
      15_000,
    );
    // Stopped within seconds, not after the 60-second test command.
    expect(Date.now() - cancelledAt).toBeLessThan(10_000);
    expect(running()).toBe(false);
    expect(done.status).toBe('cancelled');
    expect(done.steps.map((step: { name: string; status: string }) => `${step.name}:${step.status}`)).toEqual([
      'fetch:succeeded',
      'build:succeeded',
      'test:cancelled',
      'push:skipped',
      'restart:skipped',
    ]);
    expect(done.steps.find((step: { name: string }) => step.name === 'test').log).toContain(
      'stopped: the deployment was cancelled',
    );
    const instance = (await call('GET', `/api/instances/${instanceId}`)).body;
    expect(existsSync(join(stack.dataDir, 'instances', instance.slug, 'current'))).toBe(false);
  });
});

describe('the webhook delivery log', () => {
  it('lists deliveries with outcome, reason and the deployments they created', async () => {
    const res = await call('GET', `/api/projects/${projectId}/webhook-deliveries?limit=100`);
    expect(res.status).toBe(200);
    const { deliveries, total } = res.body as { deliveries: Array<Record<string, any>>; total: number };
    expect(total).toBe(deliveries.length);
    const accepted = deliveries.filter((d) => d.status === 'accepted');
    expect(accepted.length).toBeGreaterThan(0);
    expect(accepted[0]?.deployments[0]).toMatchObject({
      instanceId: expect.any(String),
      commitSha: expect.stringMatching(/^[0-9a-f]{40}$/),
    });
    expect(deliveries.find((d) => d.reason === 'ping')).toMatchObject({
      status: 'ignored',
      event: 'ping',
      deployments: [],
    });
    const ignoredOnly = await call('GET', `/api/projects/${projectId}/webhook-deliveries?status=ignored`);
    expect(ignoredOnly.body.deliveries.every((d: { status: string }) => d.status === 'ignored')).toBe(true);
    const detail = await call('GET', `/api/projects/${projectId}/webhook-deliveries/${accepted[0]?.id}`);
    expect(detail.body.headers['x-github-event']).toBe('push');
    expect(detail.body.headers['x-hub-signature-256']).toBeUndefined();
    expect(detail.body.payload.ref).toMatch(/^refs\//);
  });

  it('redelivers a stored delivery after its branch gets a mapping', async () => {
    const list = (await call('GET', `/api/projects/${projectId}/webhook-deliveries?status=ignored&limit=100`)).body
      .deliveries;
    const unmapped = list.find((d: { reason: string }) => d.reason === 'no branch mapping matches branch feature/x');
    await call('PUT', `/api/projects/${projectId}/branch-mappings`, { branch: 'feature/**', environmentId: stagingId });
    const res = await call('POST', `/api/projects/${projectId}/webhook-deliveries/${unmapped.id}/redeliver`);
    expect(res.status).toBe(200);
    const done = await stack.waitFor(
      async () => (await call('GET', `/api/projects/${projectId}/webhook-deliveries/${unmapped.id}`)).body,
      (d) => d.status === 'accepted' && d.deployments.length === 1,
    );
    expect(done.deployments[0].instanceId).toBe(stagingId);
  });

  it('shows signature failures and the last delivery in the webhook health', async () => {
    const body = githubPush('refs/heads/main', '0'.repeat(40), 'b'.repeat(40), 'forged');
    await stack.deliver('github', projectId, body, signedHeaders('github', 'not-the-secret', body, 'push'));
    const health = await stack.waitFor(
      async () => (await call('GET', `/api/projects/${projectId}/repository/health`)).body,
      (h) => h.recentSignatureFailures >= 2,
    );
    expect(health).toMatchObject({
      webhookUrl: `https://hooks.ocore.test/api/webhooks/github/${projectId}`,
      lastFailureReason: 'github: signature mismatch',
      lastDeliveryAt: expect.any(String),
      lastAcceptedAt: expect.any(String),
    });
    expect(health.deliveriesLast24h.accepted).toBeGreaterThan(0);
  });
});

describe('deployment notifications', () => {
  it('are POSTed to the org URL, signed with HMAC-SHA256, and listed', async () => {
    const received: Array<{ event: string; signature: string; body: string }> = [];
    const server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({
          event: String(req.headers['x-ocore-event']),
          signature: String(req.headers['x-ocore-signature-256']),
          body: Buffer.concat(chunks).toString(),
        });
        res.writeHead(204).end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as { port: number }).port;
    try {
      const secret = 'notification-secret-0123456789';
      const set = await call('PUT', '/api/settings/notifications', {
        url: `http://127.0.0.1:${port}/hooks/ocore`,
        secret,
      });
      expect(set.body).toEqual({ url: `http://127.0.0.1:${port}/hooks/ocore`, hasSecret: true });
      const sha = repo.commit({ 'notify.txt': 'n\n' }, 'notify');
      const created = await call('POST', `/api/projects/${projectId}/deployments`, {
        instanceId: stagingId,
        commitSha: sha,
      });
      const ours = (r: { event: string; body: string }) =>
        r.event === 'deployment.succeeded' && JSON.parse(r.body).deployment.id === created.body.id;
      await stack.waitFor(
        async () => received.filter(ours).length,
        (n) => n === 1,
      );
      const done = received.find(ours);
      expect(done?.signature).toBe(
        `sha256=${createHmac('sha256', secret)
          .update(done?.body ?? '')
          .digest('hex')}`,
      );
      expect(JSON.parse(done?.body ?? '{}')).toMatchObject({
        event: 'deployment.succeeded',
        deployment: { id: created.body.id, commitSha: sha, url: `${stack.url}/api/deployments/${created.body.id}` },
      });
      const listed = (await call('GET', '/api/notifications')).body.notifications;
      expect(
        listed.find(
          (n: { deploymentId: string; event: string }) =>
            n.deploymentId === created.body.id && n.event === 'deployment.succeeded',
        ),
      ).toMatchObject({
        responseStatus: 204,
        deliveredAt: expect.any(String),
      });
      const viewer = await stack.token({ permissions: ['view:projects'] });
      expect(
        (await stack.call('PUT', '/api/settings/notifications', { token: viewer, body: { url: null } })).status,
      ).toBe(403);
    } finally {
      server.close();
    }
  });
});
