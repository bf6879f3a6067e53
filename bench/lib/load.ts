import { Agent, request } from 'node:http';

export interface LoadResult {
  label: string;
  concurrency: number;
  requests: number;
  errors: number;
  rps: number;
  p50: number;
  p99: number;
}

const percentile = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;

/**
 * Sends requests from `concurrency` loops over keep-alive connections for
 * `seconds` (bounded by `maxRequests`), after a warm-up; latencies in ms.
 */
export async function load(
  label: string,
  url: string,
  concurrency: number,
  makeRequest: (i: number) => { body: string; headers: Record<string, string> },
  options: { seconds: number; warmupSeconds: number; maxRequests: number; expectStatus: number },
): Promise<LoadResult> {
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const target = new URL(url);
  let counter = 0;
  const send = (i: number) =>
    new Promise<number>((resolve) => {
      const { body, headers } = makeRequest(i);
      const started = performance.now();
      const req = request(
        {
          agent,
          host: target.hostname,
          port: target.port,
          path: target.pathname,
          method: 'POST',
          headers: { ...headers, 'content-length': Buffer.byteLength(body) },
        },
        (res) => {
          res.resume();
          res.on('end', () => resolve(res.statusCode === options.expectStatus ? performance.now() - started : -1));
        },
      );
      req.on('error', () => resolve(-1));
      req.end(body);
    });
  const run = async (seconds: number, record: number[] | null) => {
    const deadline = performance.now() + seconds * 1000;
    let errors = 0;
    await Promise.all(
      Array.from({ length: concurrency }, async () => {
        while (performance.now() < deadline && (!record || record.length < options.maxRequests)) {
          const ms = await send(counter++);
          if (ms < 0) errors++;
          else record?.push(ms);
        }
      }),
    );
    return errors;
  };
  await run(options.warmupSeconds, null);
  const latencies: number[] = [];
  const started = performance.now();
  const errors = await run(options.seconds, latencies);
  const elapsed = (performance.now() - started) / 1000;
  agent.destroy();
  latencies.sort((a, b) => a - b);
  return {
    label,
    concurrency,
    requests: latencies.length,
    errors,
    rps: latencies.length / elapsed,
    p50: percentile(latencies, 50),
    p99: percentile(latencies, 99),
  };
}
