import { generateKeyPairSync } from 'node:crypto';
import { GithubApp, pickInstallation } from '@ocore/core';
import { importSPKI, jwtVerify } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitHubFake } from './fakes/github.ts';
import { startTestApi, type TestApi } from './helpers/api.ts';

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
// GitHub hands out PKCS#1 PEMs; env files keep them on one line with \n escapes.
const PEM = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString().replace(/\n/g, '\\n');
const PUBLIC = publicKey.export({ type: 'spki', format: 'pem' }).toString();

let github: GitHubFake;
let app: GithubApp;
let api: TestApi;
let owner: string;

beforeAll(async () => {
  github = new GitHubFake();
  await github.start();
  const key = await importSPKI(PUBLIC, 'RS256');
  github.serveApp('424242', async (jwt) => {
    try {
      await jwtVerify(jwt, key, { algorithms: ['RS256'], issuer: '424242' });
      return true;
    } catch {
      return false;
    }
  });
  github.installations.set(1001, { login: 'acme-corp', type: 'Organization' });
  github.installations.set(1002, { login: 'acme-client-a', type: 'Organization' });
  github.installations.set(1003, { login: 'DevUser', type: 'User' });
  app = new GithubApp({
    appId: '424242',
    privateKey: PEM,
    webhookSecret: 'app-webhook-secret-0123456789',
    slug: 'ocore-test',
    clientId: 'Iv1.abc',
    clientSecret: 'never-shown',
    apiBaseUrl: github.url,
    webBaseUrl: 'https://github.com',
  });
  api = await startTestApi({ githubApp: app });
  owner = await api.token({ sub: 'owner', org: 'acme' });
});
afterAll(async () => {
  await api?.close();
  await github?.stop();
});

const call = (method: string, path: string, token?: string) => api.call(method, path, { token });
const install = async (installationId: number, token = owner) => {
  const { installUrl } = (await call('GET', '/api/settings/github-app/install', token)).body;
  const state = new URL(installUrl).searchParams.get('state') ?? '';
  return call(
    'GET',
    `/api/settings/github-app/callback?installation_id=${installationId}&setup_action=install&state=${encodeURIComponent(state)}`,
  );
};

describe('the GitHub App', () => {
  it('signs an RS256 app JWT that verifies with the public key', async () => {
    const jwt = await app.jwt(1_800_000_000);
    const { payload, protectedHeader } = await jwtVerify(jwt, await importSPKI(PUBLIC, 'RS256'), {
      currentDate: new Date(1_800_000_000 * 1000),
    });
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ iss: '424242', iat: 1_800_000_000 - 60, exp: 1_800_000_000 + 540 });
  });

  it('exchanges the JWT for installation tokens and caches them', async () => {
    const first = await app.installationToken(1001);
    const second = await app.installationToken(1001);
    expect(first).toMatch(/^ghs_1001_/);
    expect(second).toBe(first);
    expect(github.issuedTokens.filter((t) => t.installation === 1001)).toHaveLength(1);
  });

  it('shows its configuration without secrets', async () => {
    const res = await call('GET', '/api/settings/github-app', owner);
    expect(res.body).toMatchObject({
      configured: true,
      appId: '424242',
      slug: 'ocore-test',
      installUrl: expect.stringContaining('https://github.com/apps/ocore-test/installations/new?state='),
    });
    expect(JSON.stringify(res.body)).not.toContain('never-shown');
    expect(JSON.stringify(res.body)).not.toContain('PRIVATE');
  });

  it('records installations from the signed callback, once per account, and lists the active ones', async () => {
    const res = await install(1001);
    expect(res.status, JSON.stringify(res.body)).toBe(200);
    expect(res.body).toMatchObject({ installation_id: 1001, account_login: 'acme-corp', account_type: 'organization' });
    expect((await install(1001)).status).toBe(200);
    await install(1002);
    await install(1003);
    const list = (await call('GET', '/api/settings/github-app/installations', owner)).body.installations;
    expect(list.map((i: { account_login: string }) => i.account_login)).toEqual([
      'acme-corp',
      'acme-client-a',
      'DevUser',
    ]);
    expect(list[2]).toMatchObject({ account_type: 'user', created_at: expect.any(String) });
  });

  it('refuses a forged or expired state and an installation GitHub does not know', async () => {
    expect(
      (await call('GET', '/api/settings/github-app/callback?installation_id=1001&state=forged.state')).status,
    ).toBe(400);
    const expired = app.signState('acme', -1);
    expect(
      (await call('GET', `/api/settings/github-app/callback?installation_id=1001&state=${encodeURIComponent(expired)}`))
        .status,
    ).toBe(400);
    const unknown = await install(9999);
    expect(unknown.status).toBe(400);
    expect(unknown.body.issues[0].path).toBe('installation_id');
  });

  it('routes a repository to the installation on its owner, else the oldest one', async () => {
    const em = api.orm.em.fork();
    expect(await pickInstallation(em, 'acme', 'acme-corp')).toBe(1001);
    expect(await pickInstallation(em, 'acme', 'ACME-Client-A')).toBe(1002);
    expect(await pickInstallation(em, 'acme', 'devuser')).toBe(1003);
    expect(await pickInstallation(em, 'acme', 'someone-else')).toBe(1001);
    await expect(pickInstallation(em, 'nobody-org', 'acme-corp')).rejects.toMatchObject({ field: 'authType' });
  });

  it('needs manage:org_settings to install or remove, and removing soft-deletes', async () => {
    await call('PUT', '/api/org/members/dev', owner).then(() =>
      api.call('PUT', '/api/org/members/dev', { token: owner, body: { role: 'developer' } }),
    );
    const dev = await api.token({ sub: 'dev', org: 'acme' });
    expect((await call('GET', '/api/settings/github-app/install', dev)).status).toBe(403);
    expect((await call('DELETE', '/api/settings/github-app/installations/1003', dev)).status).toBe(403);
    expect((await call('DELETE', '/api/settings/github-app/installations/1003', owner)).status).toBe(204);
    expect((await call('DELETE', '/api/settings/github-app/installations/1003', owner)).status).toBe(404);
    const list = (await call('GET', '/api/settings/github-app/installations', dev)).body.installations;
    expect(list.map((i: { installation_id: number }) => i.installation_id)).toEqual([1001, 1002]);
    // Removing DevUser's installation turns the app off for DevUser's repositories (no fallback).
    await expect(pickInstallation(api.orm.em.fork(), 'acme', 'devuser')).rejects.toMatchObject({ field: 'authType' });
    expect(await pickInstallation(api.orm.em.fork(), 'acme', 'someone-else')).toBe(1001);
  });
});
