// Pickup latency: from a delivery's acknowledgement to its deployment's `running` state, with the real
// webhooks app and the real worker (LISTEN/NOTIFY wake-up, polling as fallback) in their own processes.
// Run: pnpm --filter @ocore/bench pickup
import { execFileSync, fork } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { benchDatabase, PUSH_PAYLOAD, principal, SECRETS_KEYS } from './lib/setup.ts';
import { createInstance, replaceBranchMappings } from './lib/testing.ts';

const COUNT = Number(process.env.BENCH_DELIVERIES ?? 40);
const GAP_MS = Number(process.env.BENCH_GAP_MS ?? 250);
const PAYLOAD = JSON.parse(PUSH_PAYLOAD);

// A real repository with one commit.
const root = mkdtempSync(join(tmpdir(), 'ocore-pickup-'));
const bare = join(root, 'acme', 'pickup.git');
mkdirSync(bare, { recursive: true });
const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'b',
      GIT_AUTHOR_EMAIL: 'b@b',
      GIT_COMMITTER_NAME: 'b',
      GIT_COMMITTER_EMAIL: 'b@b',
    },
  }).trim();
git(bare, 'init', '--bare', '--quiet', '--initial-branch=main');
git(root, 'clone', '--quiet', bare, join(root, 'work'));
git(join(root, 'work'), 'commit', '--quiet', '--allow-empty', '-m', 'bench');
git(join(root, 'work'), 'push', '--quiet', 'origin', 'HEAD:refs/heads/main');
const sha = git(join(root, 'work'), 'rev-parse', 'HEAD');

const db = await benchDatabase();
const projects: Array<{ id: string; secret: string }> = [];
for (let i = 0; i < COUNT; i++) {
  const project = await db.project(`Pickup ${i}`, `file://${bare}`);
  const instance = await createInstance(db.orm.em.fork(), principal, {
    name: `Pickup ${i}`,
    environment: 'development',
  });
  await replaceBranchMappings(db.orm.em.fork(), principal, project.id, [
    { branchPattern: 'main', instanceId: instance.id, priority: 0 },
  ]);
  projects.push(project);
}

const start = (script: string, env: Record<string, string>) => {
  const child = fork(script, [], { env: { ...process.env, ...env }, stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise<{ kill: () => void; message: { port?: number; url?: string } }>((resolve, reject) => {
    child.once('message', (message: { port?: number; url?: string }) => resolve({ kill: () => child.kill(), message }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
};
const env = { DATABASE_URL: db.databaseUrl, SECRETS_KEYS, SECRETS_ACTIVE_KEY: 'bench', LOG_LEVEL: 'warn' };
const webhooks = await start(join(import.meta.dirname, 'servers', 'webhooks.ts'), env);
const worker = await start(join(import.meta.dirname, '..', 'apps', 'worker', 'src', 'main.ts'), {
  ...env,
  WORKER_PORT: '0',
  DATA_DIR: mkdtempSync(join(tmpdir(), 'ocore-pickup-data-')),
});

for (const project of projects) {
  const body = JSON.stringify({
    ...PAYLOAD,
    ref: 'refs/heads/main',
    after: sha,
    deleted: false,
    head_commit: { ...PAYLOAD.head_commit, id: sha },
  });
  const response = await fetch(`http://127.0.0.1:${webhooks.message.port}/api/webhooks/github/${project.id}`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', project.secret).update(body).digest('hex')}`,
    },
    body,
  });
  if (response.status !== 202) throw new Error(`delivery answered ${response.status}`);
  await new Promise((r) => setTimeout(r, GAP_MS));
}

const em = db.orm.em.fork();
let rows: Array<{ ms: number | null; status: string }> = [];
for (let tries = 0; tries < 200; tries++) {
  rows = await em.execute(
    `select extract(epoch from (d.started_at - w.received_at)) * 1000 as ms, d.status
     from deployments d join webhook_deliveries w on w.delivery_id = d.delivery_id`,
  );
  if (rows.length === COUNT && rows.every((r) => r.ms !== null)) break;
  await new Promise((r) => setTimeout(r, 100));
}
webhooks.kill();
worker.kill();
const latencies = rows.map((r) => Number(r.ms)).sort((a, b) => a - b);
const pct = (p: number) =>
  latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))] ?? Number.NaN;
console.log(`pickup: ${latencies.length}/${COUNT} deliveries, one every ${GAP_MS} ms, each to its own instance`);
console.log(
  `min ${latencies[0]?.toFixed(1)} ms, p50 ${pct(50).toFixed(1)} ms, p99 ${pct(99).toFixed(1)} ms, max ${latencies.at(-1)?.toFixed(1)} ms`,
);
console.log(
  `target p50 <= 50 ms: ${pct(50) <= 50 ? 'met' : 'MISSED'}; target p99 <= 250 ms: ${pct(99) <= 250 ? 'met' : 'MISSED'}`,
);
const statuses: Record<string, number> = {};
for (const r of rows) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
console.log(`statuses: ${JSON.stringify(statuses)}`);
await db.stop();
process.exit(0);
