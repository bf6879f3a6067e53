import { join } from 'node:path';
import type { GitRepository } from '../db/entities.ts';
import { parseRepoUrl } from '../git/repo-url.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import type { GitTransport } from './git.ts';

/** The user name git sends with a token over HTTPS, per provider. */
const TOKEN_USER = { github: 'x-access-token', gitlab: 'oauth2', bitbucket: 'x-token-auth' } as const;

/**
 * How the worker reaches a repository: a local path as is, HTTPS with an
 * installation token for GitHub App connections or with the stored token for
 * access-token connections, SSH with the deploy key otherwise.
 */
export async function transportFor(
  repo: GitRepository,
  secrets: SecretBox,
  dataDir: string,
  installationToken?: (orgId: string, owner: string) => Promise<string>,
): Promise<GitTransport> {
  if (repo.repoUrl.startsWith('file://')) return { kind: 'file', url: repo.repoUrl };
  const parsed = parseRepoUrl(repo.repoUrl, repo.provider);
  if (repo.authType === 'github_app') {
    // No deploy key: the GitHub App's installation token, over HTTPS.
    if (!installationToken) throw new Error('the GitHub App is not configured');
    const token = await installationToken(repo.project.org.id, repo.repoOwner);
    return { kind: 'https', url: parsed.httpsCloneUrl, username: 'x-access-token', token };
  }
  if (repo.authType === 'access_token' && repo.accessTokenSealed) {
    const token = secrets.open(repo.accessTokenSealed);
    const url = /^https?:\/\//.test(repo.repoUrl) ? repo.repoUrl : parsed.httpsCloneUrl;
    // Bitbucket API tokens are `email:token`; git wants the token with the account's user name.
    if (repo.provider === 'bitbucket' && token.includes(':')) {
      const [user, secret] = token.split(/:(.*)/s);
      return { kind: 'https', url, username: user ?? '', token: secret ?? '' };
    }
    return { kind: 'https', url, username: TOKEN_USER[repo.provider], token };
  }
  if (!repo.deployKeyPrivateSealed) throw new Error('the repository has neither a deploy key nor an access token');
  const url = /^https?:\/\//.test(repo.repoUrl) ? parsed.sshCloneUrl : repo.repoUrl;
  return {
    kind: 'ssh',
    url,
    privateKey: secrets.open(repo.deployKeyPrivateSealed),
    knownHostsFile: join(dataDir, 'mirrors', `${repo.id}.known_hosts`),
  };
}

/** Values that must never reach a step log. */
export function transportSecrets(transport: GitTransport): string[] {
  if (transport.kind === 'https')
    return [transport.token, Buffer.from(`${transport.username}:${transport.token}`).toString('base64')];
  if (transport.kind === 'ssh') return [transport.privateKey];
  return [];
}
