import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo } from './helpers/git.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

const WORKER = fileURLToPath(new URL('../apps/worker/src/main.ts', import.meta.url));
let stack: TestStack;
let admin: string;
const workers: ChildProcess[] = [];

/** The real worker app, in its own process, on the test database. */
function startWorker(): ChildProcess {
  const child = spawn(process.execPath, [WORKER], {
    env: {
      ...process.env,
      DATABASE_URL: stack.databaseUrl,
      SECRETS_KEYS: stack.secretsKeys,
      SECRETS_ACTIVE_KEY: 'test',
      DATA_DIR: stack.dataDir,
      WORKER_PORT: '0',
      PUBLIC_API_URL: stack.url,
      LOG_LEVEL: process.env.WORKER_LOG_LEVEL ?? 'warn',
    },
    stdio: ['ignore', process.env.WORKER_LOG_LEVEL ? 'inherit' : 'ignore', 'inherit', 'ipc'],
  });
  workers.push(child);
  return child;
}

beforeAll(async () => {
  stack = await startTestStack({ worker: false });
  admin = await stack.token();
});
afterAll(async () => {
  for (const w of workers) if (w.exitCode === null) w.kill('SIGKILL');
  await stack?.close();
});

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });

/**
 * A project whose staging instance runs `sleep <seconds>` as its test step; pushes a commit, and
 * resolves once that deployment's test step is running (with the deployment and the commit).
 */
async function pushUntilTestStep(name: string, seconds: number) {
  const repo = createTestRepo('acme', name);
  const sha = repo.commit({ [`${name}.txt`]: `${name}\n` }, `${name} test`);
  const projectId = (await call('POST', '/api/projects', { name })).body.id;
  const secret = (
    await call('POST', `/api/projects/${projectId}/repository`, { repoUrl: repo.url, provider: 'github' })
  ).body.manualSetup.webhookSecret;
  const instanceId = (
    await call('POST', '/api/instances', {
      name: `${name} target`,
      environment: 'staging',
      testCommand: `sleep ${seconds}`,
    })
  ).body.id;
  await call('PUT', `/api/projects/${projectId}`, { testSuiteEnabled: true, testGateStaging: 'block' });
  await call('PUT', `/api/projects/${projectId}/branch-mappings`, { branch: 'main', environmentId: instanceId });
  const payload = examplePayload('github/octokit-webhooks/push/with-new-branch.payload.json');
  const body = JSON.stringify({
    ...payload,
    ref: 'refs/heads/main',
    after: sha,
    deleted: false,
    head_commit: { ...payload.head_commit, id: sha },
  });
  expect((await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'))).status).toBe(
    202,
  );
  const list = async () => (await call('GET', `/api/projects/${projectId}/deployments`)).body.deployments;
  const [running] = await stack.waitFor(list, (l) => l[0]?.status === 'running', 60_000);
  await stack.waitFor(
    async () => (await call('GET', `/api/deployments/${running.id}`)).body,
    (d) => d.steps?.some((s: { name: string; status: string }) => s.name === 'test' && s.status === 'running'),
    30_000,
  );
  return { sha, deploymentId: running.id as string, list };
}

const deploymentOf = async (id: string) => (await call('GET', `/api/deployments/${id}`)).body;

describe('a worker killed in the middle of a deployment', () => {
  it('is replaced, and the deployment restarts from fetch and ends succeeded exactly once', async () => {
    const first = startWorker();
    const { sha, deploymentId, list } = await pushUntilTestStep('crash', 3);
    first.kill('SIGKILL');
    await new Promise((r) => first.once('exit', r));

    startWorker();
    const done = await stack.waitFor(
      () => deploymentOf(deploymentId),
      (d) => d.status === 'succeeded' || d.status === 'failed',
      90_000,
    );
    expect(done).toMatchObject({ status: 'succeeded', commitSha: sha });
    expect(done.attempt).toBe(2);
    expect(done.steps.map((s: { status: string }) => s.status)).toEqual([
      'succeeded',
      'succeeded',
      'succeeded',
      'succeeded',
      'skipped',
    ]);
    const all = await list();
    expect(all).toHaveLength(1);
  }, 150_000);
});

describe('a worker stopped with SIGTERM in the middle of a deployment', () => {
  it('finishes the running deployment before it exits, in one attempt', async () => {
    // Only this worker may take the job: stop the ones the test above left running.
    for (const w of workers) {
      if (w.exitCode === null && w.signalCode === null) {
        w.kill('SIGKILL');
        await new Promise((r) => w.once('exit', r));
      }
    }
    const worker = startWorker();
    await new Promise((resolve) => worker.on('message', (m: { type?: string }) => m.type === 'ready' && resolve(m)));
    const { sha, deploymentId } = await pushUntilTestStep('graceful', 2);
    worker.kill('SIGTERM');
    const exitCode = await new Promise((r) => worker.once('exit', r));
    expect(exitCode).toBe(0);
    // Read after the exit, with no worker left: the stopped worker itself finished the deployment.
    expect(await deploymentOf(deploymentId)).toMatchObject({ status: 'succeeded', commitSha: sha, attempt: 1 });
  }, 120_000);
});
