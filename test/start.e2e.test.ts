import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '@ocore/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const CLI = fileURLToPath(new URL('../packages/core/src/cli/ocore.ts', import.meta.url));
const dataDir = mkdtempSync(join(tmpdir(), 'ocore-start-'));
let child: ChildProcess;
let output = '';
let token = '';
let apiBase = '';
let webhooksBase = '';
let workerUrl = '';

/** Runs one of the guides' curl commands as written, with only host and token swapped. */
function curl(command: string, vars: Record<string, string> = {}): { status: number; body: string } {
  let script = command.replaceAll('https://ocore.example.com', apiBase);
  for (const [name, value] of Object.entries(vars)) script = script.replaceAll(name, value);
  // -s -w appended so the test can read the status; the command itself is the guide's.
  const out = execFileSync('bash', ['-c', `${script.replace(/^curl /, 'curl -s -w "\\n%{http_code}" ')}`], {
    env: { ...process.env, TOKEN: token },
    encoding: 'utf8',
  });
  const lines = out.trimEnd().split('\n');
  const status = Number(lines.pop());
  return { status, body: lines.join('\n') };
}

beforeAll(async () => {
  const env: Record<string, string | undefined> = {
    ...process.env,
    DATA_DIR: dataDir,
    API_PORT: '0',
    WEBHOOKS_PORT: '0',
    WORKER_PORT: '0',
    LOG_LEVEL: 'warn',
  };
  delete env.DATABASE_URL;
  delete env.JWT_SECRET;
  child = spawn(process.execPath, [CLI, 'start'], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout?.on('data', (chunk) => {
    output += chunk;
  });
  child.stderr?.on('data', (chunk) => {
    output += chunk;
  });
  await new Promise<void>((done, fail) => {
    const timer = setTimeout(() => fail(new Error(`start did not print a token:\n${output}`)), 90_000);
    const check = setInterval(() => {
      const match = /^TOKEN=(\S+)$/m.exec(output);
      if (match?.[1]) {
        clearInterval(check);
        clearTimeout(timer);
        token = match[1];
        done();
      }
    }, 100);
    child.once('exit', (code) => fail(new Error(`start exited with ${code}:\n${output}`)));
  });
  apiBase = /API\s+(http:\S+)\/api\s/.exec(output)?.[1] ?? '';
  webhooksBase = /Webhooks\s+(http:\/\/[^/\s]+)/.exec(output)?.[1] ?? '';
  workerUrl = /Worker\s+(http:\S+)/.exec(output)?.[1] ?? '';
}, 120_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
});

describe('the README quick start (ocore start)', () => {
  it('prints the URLs of the three services and an admin token', () => {
    expect(apiBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(webhooksBase).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    expect(workerUrl).toMatch(/\/readyz$/);
    expect(token.split('.')).toHaveLength(3);
    expect(existsSync(join(dataDir, 'pg', 'PG_VERSION'))).toBe(true);
  });

  it('brings every service to ready', async () => {
    for (const url of [`${apiBase}/readyz`, `${webhooksBase}/readyz`, workerUrl]) {
      const res = await fetch(url);
      expect(res.status, url).toBe(200);
    }
  });

  it("runs the projects guide's curl examples as written", () => {
    const created = curl(`curl -X POST https://ocore.example.com/api/projects \\
-H "Authorization: Bearer $TOKEN" \\
-H "Content-Type: application/json" \\
-d '{
"name": "Odoo ERP Customizations",
"description": "Custom modules for Acme Corp"
}'`);
    expect(created.status).toBe(201);
    const projectId = JSON.parse(created.body).id as string;
    const vars = { '{projectId}': projectId };

    const updated = curl(
      `curl -X PUT https://ocore.example.com/api/projects/{projectId} \\
-H "Authorization: Bearer $TOKEN" \\
-H "Content-Type: application/json" \\
-d '{"name": "Updated Project Name"}'`,
      vars,
    );
    expect(updated.status).toBe(200);
    expect(JSON.parse(updated.body).name).toBe('Updated Project Name');

    const archived = curl(
      `curl -X PUT https://ocore.example.com/api/projects/{projectId}/archive \\
-H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(archived).toEqual({ status: 200, body: '{"message":"Project archived"}' });
    const unarchived = curl(
      `curl -X PUT https://ocore.example.com/api/projects/{projectId}/unarchive \\
-H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(unarchived).toEqual({ status: 200, body: '{"message":"Project unarchived"}' });

    const cloned = curl(
      `curl -X POST https://ocore.example.com/api/projects/{projectId}/clone \\
-H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(cloned.status).toBe(201);
    expect(JSON.parse(cloned.body).name).toBe('Updated Project Name (copy)');

    const instance = curl(`curl -X POST https://ocore.example.com/api/instances \\
-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
-d '{"name": "Production", "environment": "production"}'`);
    const envId = JSON.parse(instance.body).id as string;
    const mapped = curl(
      `curl -X PUT https://ocore.example.com/api/projects/{projectId}/branch-mappings \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{
    "branch": "main",
    "environmentId": "ENV_UUID"
  }'`,
      { ...vars, ENV_UUID: envId },
    );
    expect(mapped.status).toBe(200);
    const listed = curl(
      `curl https://ocore.example.com/api/projects/{projectId}/branch-mappings \\
-H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(JSON.parse(listed.body)).toEqual([expect.objectContaining({ branchPattern: 'main', instanceId: envId })]);

    const deleted = curl(
      `curl -X DELETE https://ocore.example.com/api/projects/{projectId} \\
-H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(deleted).toEqual({ status: 204, body: '' });
  });

  it('answers typed tRPC calls with the printed token', async () => {
    const client = createTRPCClient<AppRouter>({
      links: [httpBatchLink({ url: `${apiBase}/trpc`, headers: { authorization: `Bearer ${token}` } })],
    });
    const project = await client.projects.create.mutate({ name: 'From tRPC' });
    expect((await client.projects.get.query({ id: project.id })).name).toBe('From tRPC');
  });

  it('mints further tokens with `ocore token` using the same secret', async () => {
    const viewer = execFileSync(process.execPath, [CLI, 'token', '--permissions', 'view:projects'], {
      env: { ...process.env, DATA_DIR: dataDir, JWT_SECRET: '' },
      encoding: 'utf8',
    }).trim();
    const headers = { authorization: `Bearer ${viewer}` };
    expect((await fetch(`${apiBase}/api/projects`, { headers })).status).toBe(200);
    const write = await fetch(`${apiBase}/api/projects`, {
      method: 'POST',
      headers: { ...headers, 'content-type': 'application/json' },
      body: '{"name":"nope"}',
    });
    expect(write.status).toBe(403);
  });

  it('shuts everything down on SIGTERM', async () => {
    const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
    expect(existsSync(join(dataDir, 'pg', 'postmaster.pid'))).toBe(false);
    await expect(fetch(`${apiBase}/healthz`)).rejects.toThrow();
  }, 60_000);
});
