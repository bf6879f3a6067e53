import { execFileSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export interface TestRepo {
  /** The bare repository (what a provider hosts). */
  bare: string;
  url: string;
  /** Commits files on a branch and pushes it; returns the commit SHA. */
  commit(files: Record<string, string>, message: string, branch?: string): string;
  deleteBranch(branch: string): void;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: 'Dev',
      GIT_AUTHOR_EMAIL: 'dev@acme.test',
      GIT_COMMITTER_NAME: 'Dev',
      GIT_COMMITTER_EMAIL: 'dev@acme.test',
      GIT_CONFIG_NOSYSTEM: '1',
    },
  }).trim();

/** A real repository on disk, as `<tmp>/<owner>/<name>.git`, with a working clone to push from. */
export function createTestRepo(owner = 'acme', name = 'odoo-addons'): TestRepo {
  const root = mkdtempSync(join(tmpdir(), 'ocore-git-'));
  chmodSync(root, 0o755);
  const bare = join(root, owner, `${name}.git`);
  mkdirSync(bare, { recursive: true });
  git(bare, 'init', '--bare', '--quiet', '--initial-branch=main');
  const work = join(root, 'work');
  // init + remote rather than cloning the empty repository (which only prints a warning).
  mkdirSync(work);
  git(work, 'init', '--quiet', '--initial-branch=main');
  git(work, 'remote', 'add', 'origin', bare);
  return {
    bare,
    url: `file://${bare}`,
    commit(files, message, branch = 'main') {
      const exists = git(work, 'branch', '--list', branch);
      git(work, 'checkout', '--quiet', ...(exists ? [branch] : ['-B', branch]));
      for (const [path, content] of Object.entries(files)) {
        mkdirSync(dirname(join(work, path)), { recursive: true });
        writeFileSync(join(work, path), content);
      }
      git(work, 'add', '-A');
      git(work, 'commit', '--quiet', '--allow-empty', '-m', message);
      git(work, 'push', '--quiet', '--force', 'origin', `${branch}:refs/heads/${branch}`);
      return git(work, 'rev-parse', 'HEAD');
    },
    deleteBranch(branch) {
      git(work, 'push', '--quiet', 'origin', `:refs/heads/${branch}`);
    },
  };
}
