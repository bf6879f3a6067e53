// Ingest throughput and latency of signed GitHub push deliveries, against a bare baseline measured in
// the same run on the same machine (the load generator shares the CPU). Run: pnpm --filter @ocore/bench ingest
import { type ChildProcess, fork } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadResult, load } from './lib/load.ts';
import { benchDatabase, PUSH_PAYLOAD, SECRETS_KEYS } from './lib/setup.ts';

const PAYLOAD = PUSH_PAYLOAD;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 5);

function startServer(script: string, env: Record<string, string>): Promise<{ child: ChildProcess; port: number }> {
  const child = fork(join(import.meta.dirname, 'servers', script), [], {
    execArgv: process.env.BENCH_PROFILE ? ['--cpu-prof', '--cpu-prof-dir=/tmp/prof'] : [],
    env: { ...process.env, ...env },
    stdio: ['ignore', 'inherit', 'inherit', 'ipc'],
  });
  return new Promise((resolve, reject) => {
    child.once('message', (m: { port: number }) => resolve({ child, port: m.port }));
    child.once('exit', (code) => reject(new Error(`${script} exited with ${code}`)));
  });
}

const db = await benchDatabase();
const { id: projectId, secret } = await db.project('Ingest bench', 'https://github.com/acme/bench.git');
const sign = (body: string) => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const delivery = () => ({
  body: PAYLOAD,
  headers: {
    'content-type': 'application/json',
    'x-github-event': 'push',
    'x-github-delivery': randomUUID(),
    'x-hub-signature-256': sign(PAYLOAD),
  },
});

const results: LoadResult[] = [];
const options = { seconds: SECONDS, warmupSeconds: 1, maxRequests: 50_000, expectStatus: 202 };
const baseline = await startServer('baseline.ts', { DATABASE_URL: db.databaseUrl, SECRET: secret });
const ours = await startServer('webhooks.ts', { DATABASE_URL: db.databaseUrl, SECRETS_KEYS });
for (const concurrency of [16, 64]) {
  results.push(await load('baseline', `http://127.0.0.1:${baseline.port}/`, concurrency, delivery, options));
  results.push(
    await load(
      'ocore',
      `http://127.0.0.1:${ours.port}/api/webhooks/github/${projectId}`,
      concurrency,
      delivery,
      options,
    ),
  );
}
baseline.child.kill();
ours.child.kill();

console.log(
  `ingest: ${Buffer.byteLength(PAYLOAD)}-byte signed GitHub push deliveries, ${SECONDS}s per run, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'} Postgres`,
);
console.log('label     conc  requests  errors      req/s   p50 ms   p99 ms');
for (const r of results) {
  console.log(
    `${r.label.padEnd(9)} ${String(r.concurrency).padStart(4)} ${String(r.requests).padStart(9)} ${String(r.errors).padStart(7)} ${r.rps.toFixed(0).padStart(10)} ${r.p50.toFixed(1).padStart(8)} ${r.p99.toFixed(1).padStart(8)}`,
  );
}
for (const concurrency of [16, 64]) {
  const b = results.find((r) => r.label === 'baseline' && r.concurrency === concurrency);
  const o = results.find((r) => r.label === 'ocore' && r.concurrency === concurrency);
  if (!b || !o) continue;
  const throughput = o.rps / b.rps;
  const tail = o.p99 / b.p99;
  const p99Cap = concurrency === 16 ? ` and <= 25 ms: ${o.p99 <= 25 ? 'met' : 'MISSED'}` : '';
  console.log(
    `c=${concurrency}: throughput ${throughput.toFixed(2)}x baseline (target >= 0.80: ${throughput >= 0.8 ? 'met' : 'MISSED'}); p99 ${tail.toFixed(2)}x baseline (target <= 1.50: ${tail <= 1.5 ? 'met' : 'MISSED'})${p99Cap}`,
  );
}
await db.stop();
process.exit(0);
