import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { AppRouter } from '@ocore/api';
import { createTRPCClient, httpBatchLink } from '@trpc/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestRepo } from './helpers/git.ts';

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

  it("runs the Git integration guide's curl and `ocore project` examples as written", async () => {
    const newProject = async (name: string) =>
      (
        await (
          await fetch(`${apiBase}/api/projects`, {
            method: 'POST',
            headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
            body: JSON.stringify({ name }),
          })
        ).json()
      ).id as string;
    const vars = { '{projectId}': await newProject('Git guide') };
    const connected = curl(
      `curl -X POST https://ocore.example.com/api/projects/{projectId}/repository \\
  -H "Authorization: Bearer $TOKEN" \\
  -H "Content-Type: application/json" \\
  -d '{
    "repositoryUrl": "git@github.com:acme/odoo-custom.git",
    "branch": "main",
    "provider": "github"
  }'`,
      vars,
    );
    expect(connected.status).toBe(201);
    const setup = JSON.parse(connected.body).manualSetup;
    expect(setup.deployKey).toMatch(/^ssh-ed25519 /);
    const reconfigured = curl(
      `curl -X POST https://ocore.example.com/api/projects/{projectId}/repository/reconfigure-webhook \\
  -H "Authorization: Bearer $TOKEN"`,
      vars,
    );
    expect(reconfigured.status).toBe(200);
    expect(JSON.parse(reconfigured.body).manualSetup.webhookSecret).not.toBe(setup.webhookSecret);
    const app = curl(`curl https://ocore.example.com/api/settings/github-app \\
  -H "Authorization: Bearer $TOKEN"`);
    expect(app.status).toBe(200);
    const installations = curl(`curl https://ocore.example.com/api/settings/github-app/installations \\
  -H "Authorization: Bearer $TOKEN"`);
    expect(JSON.parse(installations.body)).toEqual({ installations: [] });
    const unlinked = curl(
      `curl -X DELETE https://ocore.example.com/api/settings/github-app/installations/{installationId} \\
  -H "Authorization: Bearer $TOKEN"`,
      { '{installationId}': '12345678' },
    );
    expect(unlinked.status).toBe(404);

    // The guide's CLI commands, run by bash with \`ocore\` being this repository's CLI.
    const ocore = (command: string, values: Record<string, string>) => {
      let script = command;
      for (const [name, value] of Object.entries(values)) script = script.replaceAll(name, value);
      return execFileSync('bash', ['-c', `ocore() { "${process.execPath}" "${CLI}" "$@"; }\n${script}`], {
        env: { ...process.env, TOKEN: token, OCORE_API_URL: apiBase },
        encoding: 'utf8',
      });
    };
    const cliProject = await newProject('Git guide CLI');
    const instanceId = JSON.parse(
      curl(`curl -X POST https://ocore.example.com/api/instances \\
-H "Authorization: Bearer $TOKEN" -H "Content-Type: application/json" \\
-d '{"name": "CLI target", "environment": "staging"}'`).body,
    ).id as string;
    const connectOut = ocore(
      `ocore project connect-repo <project-id> \\
  --url git@github.com:acme/odoo-custom.git \\
  --branch main \\
  --provider github`,
      { '<project-id>': cliProject },
    );
    expect(connectOut).toContain(`connected git@github.com:acme/odoo-custom.git (github) to project ${cliProject}`);
    expect(connectOut).toMatch(/deploy key \(read-only\): ssh-ed25519 /);
    expect(connectOut).toMatch(/webhook secret: +\S{20,}/);
    const mapOut = ocore(
      `ocore project map-branch <project-id> \\
  --branch main \\
  --environment ENV_UUID`,
      { '<project-id>': cliProject, ENV_UUID: instanceId },
    );
    expect(mapOut.trim()).toBe(`main -> ${instanceId} (priority 0)`);
    expect(ocore('ocore project mappings <project-id>', { '<project-id>': cliProject }).trim()).toBe(
      `main -> ${instanceId} (priority 0)`,
    );
    // Deploy by hand from the CLI and follow it to the end, on a real repository.
    const repo = createTestRepo('acme', 'cli-deploy');
    const sha = repo.commit({ 'addon/__manifest__.py': "{'name': 'cli'}\n" }, 'for the CLI');
    const deployProject = await newProject('CLI deploy');
    ocore(`ocore project connect-repo ${deployProject} --url ${repo.url} --provider github --json`, {});
    ocore(`ocore project map-branch ${deployProject} --branch main --environment ${instanceId}`, {});
    const deployOut = ocore(`ocore project deploy ${deployProject} --instance ${instanceId} --branch main --wait`, {});
    expect(deployOut).toMatch(
      new RegExp(`^\\S+  succeeded  main @ ${sha.slice(0, 7)}  instance ${instanceId}  manual`),
    );
    expect(deployOut).toMatch(/^ {2}fetch +succeeded \d+ ms$/m);
    const deploymentId = deployOut.split(/\s+/)[0] ?? '';
    const shown = ocore(`ocore deployment show ${deploymentId} --logs`, {});
    expect(shown).toMatch(new RegExp(`^ {4}\\| fetching ${sha} over file$`, 'm'));
    let refused = '';
    try {
      ocore(`ocore deployment cancel ${deploymentId} 2>&1`, {});
    } catch (error) {
      refused = String((error as { stdout?: string }).stdout);
    }
    expect(refused).toMatch(/^ocore deployment: 409 CONFLICT: deployment is already succeeded/);
    expect(ocore(`ocore project deployments ${deployProject} --status succeeded`, {})).toContain('1 deployment(s)');
    // The API URL as `ocore start` prints it (ending in /api) works too.
    expect(ocore(`ocore project list --api ${apiBase}/api`, {})).toMatch(
      new RegExp(`^${deployProject}  cli-deploy  ${repo.url}$`, 'm'),
    );

    // An API error reaches the operator with the API's message and the field, and a failing exit code.
    let failure = '';
    try {
      ocore('ocore project map-branch <project-id> --branch main --environment not-a-uuid 2>&1', {
        '<project-id>': cliProject,
      });
    } catch (error) {
      failure = String((error as { stdout?: string }).stdout);
    }
    expect(failure).toMatch(/^ocore project: 400 /);
    expect(failure).toContain('environmentId');
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
