import {
  createProviderFactory,
  DEFAULT_PROVIDER_SETTINGS,
  GithubApp,
  type GitProvider,
  generateDeployKey,
} from '@ocore/core';

const noRetry = createProviderFactory({
  ...DEFAULT_PROVIDER_SETTINGS,
  retry: { retries: 0, baseDelayMs: 1, maxDelayMs: 1 },
});
const createGitHubProvider = (connection: { apiBaseUrl: string; token: string }) => noRetry('github', connection);

import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type PrismServer, startGitHubPrism } from './helpers/prism.ts';

let prism: PrismServer;
let github: GitProvider;
const ref = { owner: 'octocat', name: 'hello-world' };

beforeAll(async () => {
  prism = await startGitHubPrism();
  github = createGitHubProvider({ apiBaseUrl: prism.url, token: 'ghp_prismtoken' });
}, 150_000);
afterAll(() => prism?.stop());

/**
 * Prism checks every request against GitHub's OpenAPI description (path,
 * method, parameters, body); the recording proxy keeps what it flagged, and
 * the last test asserts nothing was.
 */
describe("the GitHub adapter's requests match GitHub's OpenAPI description", () => {
  it('reads a repository by owner/name, and by id with a fallback to owner/name', async () => {
    const repo = await github.getRepository(ref);
    expect(repo.providerRepoId).toMatch(/^\d+$/);
    expect(repo.defaultBranch).toBe('master'); // the description's example repository
    // GET /repositories/{id} works on github.com but is not in the published description,
    // so Prism 404s it and the adapter falls back to owner/name, as it does after a deletion.
    const byId = await github.getRepository({ ...ref, providerRepoId: repo.providerRepoId });
    expect(byId.providerRepoId).toBe(repo.providerRepoId);
  });

  it('creates, reads, updates and deletes a push webhook', async () => {
    const hook = await github.createWebhook(ref, {
      url: 'https://hooks.ocore.test/api/webhooks/github/p1',
      secret: 's'.repeat(64),
    });
    expect(hook.id).toMatch(/^\d+$/);
    expect(await github.getWebhook(ref, hook.id)).toMatchObject({ id: hook.id });
    await github.updateWebhook(ref, hook.id, {
      url: 'https://hooks.ocore.test/api/webhooks/github/p1',
      secret: 't'.repeat(64),
    });
    await github.deleteWebhook(ref, hook.id);
  });

  it('adds, reads and removes a read-only deploy key', async () => {
    const key = await github.addDeployKey(ref, 'oCore (test)', generateDeployKey('ocore-test').publicKey);
    expect(key.id).toMatch(/^\d+$/);
    expect(await github.getDeployKey(ref, key.id)).toMatchObject({ id: key.id });
    await github.removeDeployKey(ref, key.id);
  });

  it('sets a commit status and checks access', async () => {
    await github.setCommitStatus(ref, 'a'.repeat(40), {
      state: 'success',
      context: 'ocore/production',
      description: 'Deployed',
      targetUrl: 'https://ocore.test/deployments/1',
    });
    const access = await github.validateAccess(ref);
    expect(access).toHaveProperty('missing');
  });

  it('creates and completes a check run', async () => {
    const id = await github.setCheckRun?.(ref, 'a'.repeat(40), {
      name: 'oCore: Production',
      status: 'queued',
      detailsUrl: 'https://ocore.test/d/1',
      externalId: 'd1',
    });
    expect(id).toMatch(/^\d+$/);
    await github.setCheckRun?.(
      ref,
      'a'.repeat(40),
      { name: 'oCore: Production', status: 'completed', conclusion: 'success', summary: 'Deployed' },
      id,
    );
  });

  it('reads an installation and exchanges the app JWT for an installation token', async () => {
    const { generateKeyPairSync } = await import('node:crypto');
    const key = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const app = new GithubApp({
      appId: '1',
      privateKey: key,
      webhookSecret: 'x'.repeat(20),
      slug: 'ocore',
      apiBaseUrl: prism.url,
      webBaseUrl: 'https://github.com',
    });
    const installation = await app.getInstallation(1);
    expect(installation.accountLogin).toBe('octocat'); // the description's example installation
    expect(await app.installationToken(1)).toMatch(/^ghs_/);
  });

  it('sent no request that violates the description (bar the undocumented id lookup)', () => {
    expect(prism.requests.length).toBeGreaterThanOrEqual(12);
    const flagged = prism.violations.filter((v) => !/^\/repositories\/\d+$/.test(v.path));
    expect(flagged).toEqual([]);
  });

  it('would catch a request that breaks the description (negative control)', async () => {
    const before = prism.violations.length;
    const res = await fetch(`${prism.url}/repos/octocat/hello-world/hooks`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json', authorization: 'token x' },
      body: JSON.stringify({ config: 'not-an-object', events: 'push' }),
    });
    expect(res.status).toBe(422);
    expect(prism.violations.length).toBeGreaterThan(before);
  });
});
