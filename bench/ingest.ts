// Ingest throughput and latency of signed GitHub push deliveries, against a bare baseline measured in
// the same run on the same machine (the load generator shares the CPU). Baseline and oCore alternate
// in short runs over several rounds, and the figures are medians, so a noisy neighbour or a slow
// minute hits both. Run: pnpm bench:ingest (BENCH_ROUNDS, BENCH_SECONDS to change the shape).
import { type ChildProcess, fork } from 'node:child_process';
import { createHmac, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { cpuMs } from './lib/cpu.ts';
import { type LoadResult, load } from './lib/load.ts';
import { benchDatabase, PUSH_PAYLOAD, SECRETS_KEYS } from './lib/setup.ts';

const PAYLOAD = PUSH_PAYLOAD;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 3);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 5);
const CONCURRENCIES = [16, 64];

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

type Run = LoadResult & { serverCpu: number; postgresCpu: number };
const options = { seconds: SECONDS, warmupSeconds: 1, maxRequests: 50_000, expectStatus: 202 };
const servers = {
  baseline: await startServer('baseline.ts', { DATABASE_URL: db.databaseUrl, SECRET: secret }),
  ocore: await startServer('webhooks.ts', { DATABASE_URL: db.databaseUrl, SECRETS_KEYS }),
};
const paths = { baseline: '/', ocore: `/api/webhooks/github/${projectId}` };

/** One run, with the CPU per request of the server process and of Postgres (where a gap comes from). */
async function measured(label: keyof typeof servers, concurrency: number): Promise<Run> {
  const { child, port } = servers[label];
  const pid = child.pid ?? 0;
  const before = { server: cpuMs({ pid }), postgres: cpuMs({ comm: 'postgres' }) };
  const result = await load(label, `http://127.0.0.1:${port}${paths[label]}`, concurrency, delivery, options);
  const total = result.requests + options.warmupSeconds * result.rps;
  return {
    ...result,
    serverCpu: (cpuMs({ pid }) - before.server) / total,
    postgresCpu: (cpuMs({ comm: 'postgres' }) - before.postgres) / total,
  };
}

const runs: Run[] = [];
for (let round = 0; round < ROUNDS; round++) {
  for (const concurrency of CONCURRENCIES) {
    // Alternate which one goes first, so neither always runs on a warmer (or fuller) database.
    const order: (keyof typeof servers)[] = round % 2 === 0 ? ['baseline', 'ocore'] : ['ocore', 'baseline'];
    for (const label of order) runs.push(await measured(label, concurrency));
  }
}
servers.baseline.child.kill();
servers.ocore.child.kill();

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? (sorted[mid] ?? 0) : ((sorted[mid - 1] ?? 0) + (sorted[mid] ?? 0)) / 2;
};
const pick = (label: string, concurrency: number) =>
  runs.filter((r) => r.label === label && r.concurrency === concurrency);

console.log(
  `ingest: ${Buffer.byteLength(PAYLOAD)}-byte signed GitHub push deliveries, ${ROUNDS} rounds of ${SECONDS}s runs, ${process.env.DATABASE_URL ? 'DATABASE_URL' : 'embedded'} Postgres; medians`,
);
console.log('label     conc  errors      req/s   p50 ms   p99 ms  server CPU ms/req  postgres CPU ms/req');
for (const concurrency of CONCURRENCIES) {
  for (const label of ['baseline', 'ocore']) {
    const set = pick(label, concurrency);
    const m = (f: (r: Run) => number) => median(set.map(f));
    console.log(
      `${label.padEnd(9)} ${String(concurrency).padStart(4)} ${String(set.reduce((n, r) => n + r.errors, 0)).padStart(7)} ${m(
        (r) => r.rps,
      )
        .toFixed(0)
        .padStart(10)} ${m((r) => r.p50)
        .toFixed(1)
        .padStart(8)} ${m((r) => r.p99)
        .toFixed(1)
        .padStart(8)} ${m((r) => r.serverCpu)
        .toFixed(3)
        .padStart(18)} ${m((r) => r.postgresCpu)
        .toFixed(3)
        .padStart(20)}`,
    );
  }
}
for (const concurrency of CONCURRENCIES) {
  // Ratios per round (each oCore run against the baseline run beside it), then their median.
  const base = pick('baseline', concurrency);
  const ours = pick('ocore', concurrency);
  const throughput = median(ours.map((o, i) => o.rps / (base[i]?.rps ?? Number.NaN)));
  const tail = median(ours.map((o, i) => o.p99 / (base[i]?.p99 ?? Number.NaN)));
  const p99 = median(ours.map((o) => o.p99));
  const p99Cap = concurrency === 16 ? ` and <= 25 ms: ${p99 <= 25 ? 'met' : 'MISSED'}` : '';
  console.log(
    `c=${concurrency}: throughput ${throughput.toFixed(2)}x baseline (target >= 0.80: ${throughput >= 0.8 ? 'met' : 'MISSED'}); p99 ${tail.toFixed(2)}x baseline (target <= 1.50: ${tail <= 1.5 ? 'met' : 'MISSED'})${p99Cap}`,
  );
}
await db.stop();
process.exit(0);
