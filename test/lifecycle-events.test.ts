import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GitLabFake } from './fakes/gitlab.ts';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { SYSTEM_HOOK_TOKEN, startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
let admin: string;
let gitlab: GitLabFake;
const GL_TOKEN = 'glpat-lifecycle000000000000';

beforeAll(async () => {
  gitlab = new GitLabFake();
  await gitlab.start();
  gitlab.tokens.set(GL_TOKEN, { scopes: ['api'], accessLevel: 40 });
  stack = await startTestStack({ providers: { gitlabApiUrl: gitlab.url } });
  admin = await stack.token();
});
afterAll(async () => {
  await stack?.close();
  await gitlab?.stop();
});

const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });
const repositoryOf = async (projectId: string) => (await call('GET', `/api/projects/${projectId}`)).body.gitRepository;

async function manualProject(provider: 'github' | 'bitbucket', url: string) {
  const projectId = (await call('POST', '/api/projects', { name: `lifecycle ${url}` })).body.id;
  const res = await call('POST', `/api/projects/${projectId}/repository`, { repoUrl: url, provider });
  return { projectId, secret: res.body.manualSetup.webhookSecret as string };
}

async function deliver(
  provider: 'github' | 'bitbucket',
  projectId: string,
  secret: string,
  event: string,
  payload: unknown,
) {
  const body = JSON.stringify(payload);
  const res = await stack.deliver(provider, projectId, body, signedHeaders(provider, secret, body, event));
  expect(res.status).toBe(202);
  return stack.waitFor(
    async () => (await call('GET', `/api/projects/${projectId}/webhook-deliveries/${res.body.id}`)).body,
    (d) => d.status !== 'received',
  );
}

describe('repository lifecycle events apply at once', () => {
  it('GitHub repository.renamed and repository.transferred (published payloads)', async () => {
    const { projectId, secret } = await manualProject('github', 'https://github.com/Codertocat/Hello-World.git');
    const renamed = await deliver(
      'github',
      projectId,
      secret,
      'repository',
      examplePayload('github/octokit-webhooks/repository/renamed.payload.json'),
    );
    expect(renamed).toMatchObject({ status: 'accepted', reason: expect.stringContaining('renamed') });
    expect(await repositoryOf(projectId)).toMatchObject({
      repoOwner: 'Octocoders',
      repoName: 'Hello-World',
      repoUrl: 'https://github.com/Octocoders/Hello-World.git',
    });
    const transferred = examplePayload('github/octokit-webhooks/repository/transferred.payload.json');
    transferred.repository.owner.login = 'acme-new-home';
    await deliver('github', projectId, secret, 'repository', transferred);
    expect((await repositoryOf(projectId)).repoOwner).toBe('acme-new-home');
  });

  it('GitHub repository.archived and repository.deleted are reported', async () => {
    const { projectId, secret } = await manualProject('github', 'https://github.com/Octocoders/Hello-World.git');
    const base = examplePayload('github/octokit-webhooks/repository/renamed.payload.json');
    await deliver('github', projectId, secret, 'repository', { ...base, action: 'archived', changes: undefined });
    expect(await repositoryOf(projectId)).toMatchObject({
      syncStatus: 'error',
      syncError: 'repository is archived on GitHub (read-only)',
    });
    await deliver('github', projectId, secret, 'repository', { ...base, action: 'deleted', changes: undefined });
    expect(await repositoryOf(projectId)).toMatchObject({
      syncStatus: 'not_found',
      syncError: 'repository was deleted on GitHub',
    });
  });

  it('Bitbucket repo:updated (published payload) renames the connection', async () => {
    const { projectId, secret } = await manualProject('bitbucket', 'https://bitbucket.org/teamawesome/repository_name');
    const delivery = await deliver(
      'bitbucket',
      projectId,
      secret,
      'repo:updated',
      examplePayload('bitbucket/go-playground-webhooks/repo-updated.json'),
    );
    expect(delivery.status).toBe('accepted');
    // The change set's full_name.new is the new name (the example's repository block is older).
    expect(await repositoryOf(projectId)).toMatchObject({
      repoOwner: 'teamawesome',
      repoName: 'repository',
      repoUrl: 'https://bitbucket.org/teamawesome/repository.git',
    });
  });

  it('GitLab system hooks (published payloads) rename, transfer and delete by project id', async () => {
    const project = gitlab.addProject('jsmith', 'overscore');
    gitlab.projects.delete(project.id);
    project.id = 73;
    gitlab.projects.set(73, project);
    const projectId = (await call('POST', '/api/projects', { name: 'gitlab system hooks' })).body.id;
    const connected = await call('POST', `/api/projects/${projectId}/repository`, {
      repoUrl: `${gitlab.url}/jsmith/overscore.git`,
      provider: 'gitlab',
      accessToken: GL_TOKEN,
    });
    expect(connected.body.providerRepoId).toBe('73');
    const send = async (file: string) => {
      const body = JSON.stringify(examplePayload(`gitlab/gitlab-docs/${file}`));
      const headers = signedHeaders('gitlab', SYSTEM_HOOK_TOKEN, body, 'System Hook');
      const res = await stack.deliver('gitlab', 'system', body, headers);
      expect(res.status).toBe(202);
      await stack.waitFor(
        async () =>
          (await stack.orm.em
            .fork()
            .execute('select status from webhook_deliveries where id = ?', [res.body.id])) as Array<{ status: string }>,
        (rows) => rows[0]?.status === 'accepted',
      );
    };
    await send('system_hooks.project_rename.json');
    expect(await repositoryOf(projectId)).toMatchObject({
      repoOwner: 'jsmith',
      repoName: 'underscore',
      repoUrl: `${gitlab.url}/jsmith/underscore.git`,
    });
    await send('system_hooks.project_transfer.json');
    expect((await repositoryOf(projectId)).repoOwner).toBe('scores');
    await send('system_hooks.project_destroy.json');
    expect(await repositoryOf(projectId)).toMatchObject({
      syncStatus: 'not_found',
      syncError: 'repository was deleted on GitLab',
    });
    const forged = await stack.deliver('gitlab', 'system', '{}', signedHeaders('gitlab', 'wrong', '{}', 'System Hook'));
    expect(forged.status).toBe(401);
  });
});
