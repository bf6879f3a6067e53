import { type ChildProcess, spawn } from 'node:child_process';
import { createServer, request } from 'node:http';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { freePort } from '@ocore/core';
import { stopProcess, waitForOutput } from './process.ts';

const require = createRequire(import.meta.url);

export interface SpecViolation {
  method: string;
  path: string;
  status: number;
  violations: string;
}

export interface PrismServer {
  /** A recording proxy in front of Prism: point clients here. */
  url: string;
  /** Requests Prism found not to match the spec (request violations, unknown paths). */
  violations: SpecViolation[];
  /** Every request that went through, with its status. */
  requests: Array<{ method: string; path: string; status: number }>;
  stop(): Promise<void>;
}

/**
 * Prism serving GitHub's official OpenAPI description (@octokit/openapi):
 * it validates every request against the spec and answers from its examples.
 */
export async function startGitHubPrism(): Promise<PrismServer> {
  const spec = join(dirname(require.resolve('@octokit/openapi/package.json')), 'generated', 'api.github.com.json');
  const prismPkg = require.resolve('@stoplight/prism-cli/package.json');
  const bin = join(dirname(prismPkg), (require(prismPkg) as { bin: { prism: string } }).bin.prism);
  const port = await freePort();
  const child: ChildProcess = spawn(process.execPath, [bin, 'mock', '-h', '127.0.0.1', '-p', String(port), spec], {
    env: { ...process.env, SCARF_ANALYTICS: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  await waitForOutput(child, 'Prism is listening', 'Prism', 120_000);
  // Prism reports request violations in the `sl-violations` header (and 404s
  // paths the spec does not have); the proxy records both for the tests.
  const violations: SpecViolation[] = [];
  const requests: PrismServer['requests'] = [];
  const proxy = createServer((req, res) => {
    const upstream = request(
      { host: '127.0.0.1', port, path: req.url, method: req.method, headers: req.headers },
      (answer) => {
        const status = answer.statusCode ?? 0;
        const entry = { method: req.method ?? '', path: req.url ?? '', status };
        requests.push(entry);
        const header = answer.headers['sl-violations'];
        const raw = Array.isArray(header) ? header.join('') : header;
        const requestSide = raw
          ? (JSON.parse(raw) as Array<{ location: string[] }>).filter((v) => v.location[0] === 'request')
          : [];
        if (requestSide.length > 0) violations.push({ ...entry, violations: JSON.stringify(requestSide) });
        const chunks: Buffer[] = [];
        answer.on('data', (c: Buffer) => chunks.push(c));
        answer.on('end', () => {
          const body = Buffer.concat(chunks);
          if (status === 404 && body.toString().includes('NO_PATH_MATCHED')) {
            violations.push({ ...entry, violations: 'path not in the spec' });
          }
          res.writeHead(status, answer.headers);
          res.end(body);
        });
      },
    );
    req.pipe(upstream);
  });
  const proxyPort = await freePort();
  await new Promise<void>((done) => proxy.listen(proxyPort, '127.0.0.1', done));
  return {
    url: `http://127.0.0.1:${proxyPort}`,
    violations,
    requests,
    stop: async () => {
      await new Promise<void>((done) => proxy.close(() => done()));
      await stopProcess(child);
    },
  };
}
