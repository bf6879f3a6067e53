// Fan-out: one GitHub App push for a repository connected to 1,000 projects. The reply should be as fast
// as for one project (stored and enqueued once; the worker fans out), and all 1,000 deployments should
// exist within 1 s of the reply. Run: pnpm bench:fanout
import { fork } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { registerDeliveryProcessing } from '@ocore/worker';
import { benchDatabase, PUSH_PAYLOAD, SECRETS_KEYS } from './lib/setup.ts';
import { createBoss, createLogger } from './lib/testing.ts';

const PROJECTS = Number(process.env.BENCH_PROJECTS ?? 1000);
const APP_SECRET = 'bench-app-webhook-secret';
const REPO_ID = 987654321;
const db = await benchDatabase();
const em = db.orm.em.fork();

// N projects, each connected (through the app) to the same repository and mapping main to its own instance.
await em.execute(
  "insert into organizations (id, name, created_at) values ('bench', 'bench', now()) on conflict do nothing",
);
await em.execute(
  `with n as (select g, gen_random_uuid() as project, gen_random_uuid() as instance from generate_series(1, ?) g),
   i as (insert into instances (id, org_id, name, slug, environment, version, created_at, updated_at)
         select instance, 'bench', 'Instance ' || g, 'instance-' || g, 'staging', 1, now(), now() from n),
   p as (insert into projects (id, org_id, name, slug, description, is_archived, is_restricted, test_suite_enabled,
           test_gate_production, test_gate_staging, cfg, version, created_at, updated_at)
         select project, 'bench', 'Project ' || g, 'project-' || g, '', false, false, false, 'block', 'warn', '{}', 1, now(), now() from n),
   r as (insert into git_repositories (id, project_id, provider, repo_url, host, api_base_url, repo_owner, repo_name,
           provider_repo_id, default_branch, auth_type, polling_enabled, poll_interval_seconds, sync_status,
           provider_capabilities, recent_rejections, version, created_at, updated_at)
         select gen_random_uuid(), project, 'github', 'https://github.com/acme/monorepo.git', 'github.com', 'https://api.github.com',
           'acme', 'monorepo', ?, 'main', 'github_app', false, 60, 'synced', '{}', 0, 1, now(), now() from n)
   insert into branch_mappings (id, project_id, branch_pattern, instance_id, priority, created_at)
   select gen_random_uuid(), project, 'main', instance, 0, now() from n`,
  [PROJECTS, String(REPO_ID)],
);
const single = await db.project('Single', 'https://github.com/acme/single.git');

const server = fork(join(import.meta.dirname, 'servers', 'webhooks.ts'), [], {
  env: { ...process.env, DATABASE_URL: db.databaseUrl, SECRETS_KEYS, APP_WEBHOOK_SECRET: APP_SECRET },
  stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
});
const port = await new Promise<number>((resolve) => server.once('message', (m: { port: number }) => resolve(m.port)));
const workerBoss = await createBoss(db.databaseUrl, createLogger('fanout', process.env.BENCH_LOG ?? 'silent'), 6, true);
await registerDeliveryProcessing(workerBoss, db.orm, createLogger('fanout', process.env.BENCH_LOG ?? 'silent'));

const payload = JSON.parse(PUSH_PAYLOAD);
async function push(url: string, secret: string, sha: string, repoId: number) {
  const body = JSON.stringify({
    ...payload,
    ref: 'refs/heads/main',
    after: sha,
    deleted: false,
    repository: { ...payload.repository, id: repoId },
    head_commit: { ...payload.head_commit, id: sha },
  });
  const started = performance.now();
  const res = await fetch(url, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-github-event': 'push',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`,
    },
    body,
  });
  if (res.status !== 202) throw new Error(`push answered ${res.status}`);
  return performance.now() - started;
}

const sha = (n: number) => `${n}`.padStart(40, 'c');
async function waitForDeployments(commit: string, from: number): Promise<{ created: number; ms: number }> {
  let created = 0;
  while (performance.now() - from < 30_000) {
    const rows: Array<{ n: number }> = await db.orm.em
      .fork()
      .execute('select count(*)::int as n from deployments where commit_sha = ?', [commit]);
    created = rows[0]?.n ?? 0;
    if (created >= PROJECTS) break;
    await new Promise((r) => setTimeout(r, 5));
  }
  return { created, ms: performance.now() - from };
}
const singleReplies: number[] = [];
const fanoutReplies: number[] = [];
let slowest = 0;
let allCreated = true;
for (let round = 0; round < 5; round++) {
  singleReplies.push(
    await push(`http://127.0.0.1:${port}/api/webhooks/github/${single.id}`, single.secret, sha(round * 2), 1),
  );
  fanoutReplies.push(
    await push(`http://127.0.0.1:${port}/api/webhooks/github`, APP_SECRET, sha(round * 2 + 1), REPO_ID),
  );
  // From the reply until every project has its deployment of this commit.
  const { created, ms } = await waitForDeployments(sha(round * 2 + 1), performance.now());
  slowest = Math.max(slowest, ms);
  allCreated &&= created >= PROJECTS;
}
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;
console.log(`fan-out: one GitHub App push for a repository connected to ${PROJECTS} projects`);
console.log(
  `reply: one project ${median(singleReplies).toFixed(1)} ms (median of 5), ${PROJECTS} projects ${median(fanoutReplies).toFixed(1)} ms (median of 5)`,
);
console.log(
  `deployments: all ${PROJECTS} existed at most ${slowest.toFixed(0)} ms after the reply, over 5 pushes (target: within 1000 ms: ${allCreated && slowest <= 1000 ? 'met' : 'MISSED'})`,
);
server.kill();
await workerBoss.stop({ graceful: false });
await db.stop();
process.exit(0);
