import { describe, expect, it } from 'vitest';
import { parseRepoUrl } from '../src/git/repo-url.ts';

describe('repository URL forms', () => {
  const cases: Array<
    [
      string,
      string | undefined,
      { provider: string; host: string; owner: string; name: string; ssh: string; https: string },
    ]
  > = [
    [
      'https://github.com/acme/odoo-custom.git',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'acme',
        name: 'odoo-custom',
        ssh: 'git@github.com:acme/odoo-custom.git',
        https: 'https://github.com/acme/odoo-custom.git',
      },
    ],
    [
      'https://github.com/acme/odoo-custom',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'acme',
        name: 'odoo-custom',
        ssh: 'git@github.com:acme/odoo-custom.git',
        https: 'https://github.com/acme/odoo-custom.git',
      },
    ],
    [
      'https://github.com/acme/odoo-custom/tree/main/addons',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'acme',
        name: 'odoo-custom',
        ssh: 'git@github.com:acme/odoo-custom.git',
        https: 'https://github.com/acme/odoo-custom.git',
      },
    ],
    [
      'git@github.com:acme/odoo-custom.git',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'acme',
        name: 'odoo-custom',
        ssh: 'git@github.com:acme/odoo-custom.git',
        https: 'https://github.com/acme/odoo-custom.git',
      },
    ],
    [
      'ssh://git@github.com/acme/odoo-custom.git',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'acme',
        name: 'odoo-custom',
        ssh: 'git@github.com:acme/odoo-custom.git',
        https: 'https://github.com/acme/odoo-custom.git',
      },
    ],
    [
      'ssh://git@gitlab.example.com:2222/group/sub/repo.git',
      undefined,
      {
        provider: 'gitlab',
        host: 'gitlab.example.com',
        owner: 'group/sub',
        name: 'repo',
        ssh: 'ssh://git@gitlab.example.com:2222/group/sub/repo.git',
        https: 'https://gitlab.example.com/group/sub/repo.git',
      },
    ],
    [
      'https://gitlab.com/group/sub/deeper/repo.git',
      undefined,
      {
        provider: 'gitlab',
        host: 'gitlab.com',
        owner: 'group/sub/deeper',
        name: 'repo',
        ssh: 'git@gitlab.com:group/sub/deeper/repo.git',
        https: 'https://gitlab.com/group/sub/deeper/repo.git',
      },
    ],
    [
      'https://gitlab.com/group/repo/-/tree/main',
      undefined,
      {
        provider: 'gitlab',
        host: 'gitlab.com',
        owner: 'group',
        name: 'repo',
        ssh: 'git@gitlab.com:group/repo.git',
        https: 'https://gitlab.com/group/repo.git',
      },
    ],
    [
      'git@gitlab.com:group/sub/repo.git',
      undefined,
      {
        provider: 'gitlab',
        host: 'gitlab.com',
        owner: 'group/sub',
        name: 'repo',
        ssh: 'git@gitlab.com:group/sub/repo.git',
        https: 'https://gitlab.com/group/sub/repo.git',
      },
    ],
    [
      'https://git.acme.internal/platform/erp.git',
      'gitlab',
      {
        provider: 'gitlab',
        host: 'git.acme.internal',
        owner: 'platform',
        name: 'erp',
        ssh: 'git@git.acme.internal:platform/erp.git',
        https: 'https://git.acme.internal/platform/erp.git',
      },
    ],
    [
      'http://127.0.0.1:8929/group/sub/repo.git',
      'gitlab',
      {
        provider: 'gitlab',
        host: '127.0.0.1',
        owner: 'group/sub',
        name: 'repo',
        ssh: 'git@127.0.0.1:group/sub/repo.git',
        https: 'http://127.0.0.1:8929/group/sub/repo.git',
      },
    ],
    [
      'https://github.acme.com/team/app',
      undefined,
      {
        provider: 'github',
        host: 'github.acme.com',
        owner: 'team',
        name: 'app',
        ssh: 'git@github.acme.com:team/app.git',
        https: 'https://github.acme.com/team/app.git',
      },
    ],
    [
      'git@bitbucket.org:workspace/repo.git',
      undefined,
      {
        provider: 'bitbucket',
        host: 'bitbucket.org',
        owner: 'workspace',
        name: 'repo',
        ssh: 'git@bitbucket.org:workspace/repo.git',
        https: 'https://bitbucket.org/workspace/repo.git',
      },
    ],
    [
      'https://bitbucket.org/workspace/repo',
      undefined,
      {
        provider: 'bitbucket',
        host: 'bitbucket.org',
        owner: 'workspace',
        name: 'repo',
        ssh: 'git@bitbucket.org:workspace/repo.git',
        https: 'https://bitbucket.org/workspace/repo.git',
      },
    ],
    [
      '  https://github.com/Acme/Odoo.Custom.git  ',
      undefined,
      {
        provider: 'github',
        host: 'github.com',
        owner: 'Acme',
        name: 'Odoo.Custom',
        ssh: 'git@github.com:Acme/Odoo.Custom.git',
        https: 'https://github.com/Acme/Odoo.Custom.git',
      },
    ],
  ];
  for (const [url, hint, expected] of cases) {
    it(`parses ${url.trim()}`, () => {
      const parsed = parseRepoUrl(url, hint as 'gitlab' | undefined);
      expect({
        provider: parsed.provider,
        host: parsed.host,
        owner: parsed.owner,
        name: parsed.name,
        ssh: parsed.sshCloneUrl,
        https: parsed.httpsCloneUrl,
      }).toEqual(expected);
    });
  }

  const bad: Array<[string, string | undefined, string]> = [
    ['', undefined, 'repoUrl'],
    ['not a url', undefined, 'repoUrl'],
    ['https://github.com/acme', undefined, 'repoUrl'],
    ['https://user:pass@github.com/acme/repo.git', undefined, 'repoUrl'],
    ['ftp://github.com/acme/repo.git', undefined, 'repoUrl'],
    ['https://git.example.org/acme/repo.git', undefined, 'provider'],
    ['https://github.com/acme/repo.git', 'gitlab', 'provider'],
    ['https://bitbucket.example.com/scm/acme/repo.git', 'bitbucket', 'repoUrl'],
    ['git@github.com:acme/../etc.git', undefined, 'repoUrl'],
    ['git@github.com:a/b/c.git', undefined, 'repoUrl'],
  ];
  for (const [url, hint, field] of bad) {
    it(`rejects ${JSON.stringify(url)} naming ${field}`, () => {
      expect(() => parseRepoUrl(url, hint as 'gitlab' | undefined)).toThrow(
        expect.objectContaining({ kind: 'INVALID', field }),
      );
    });
  }
});
