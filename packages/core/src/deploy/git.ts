import { spawn } from 'node:child_process';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type BoundedLog, runCommand } from './run-command.ts';

/** How to reach a repository for `git fetch`. */
export type GitTransport =
  | { kind: 'file'; url: string }
  | { kind: 'https'; url: string; username: string; token: string }
  | { kind: 'ssh'; url: string; privateKey: string; knownHostsFile: string; port?: number };

export class GitError extends Error {}

const baseEnv = (): NodeJS.ProcessEnv => ({
  PATH: process.env.PATH,
  HOME: process.env.HOME ?? tmpdir(),
  GIT_TERMINAL_PROMPT: '0',
  GIT_CONFIG_NOSYSTEM: '1',
  LANG: 'C',
});

async function git(
  args: string[],
  log: BoundedLog,
  options: { env?: NodeJS.ProcessEnv; cwd?: string; timeoutMs?: number } = {},
) {
  log.add(`$ git ${args.filter((a) => !a.startsWith('http.extraHeader')).join(' ')}\n`);
  const result = await runCommand('git', args, {
    env: { ...baseEnv(), ...options.env },
    cwd: options.cwd,
    log,
    timeoutMs: options.timeoutMs ?? 600_000,
  });
  if (result.timedOut) throw new GitError(`git ${args[0]} timed out`);
  if (result.code !== 0)
    throw new GitError(
      `git ${args.find((a) => !a.startsWith('-') && !a.includes('=')) ?? ''} exited with ${result.code}`,
    );
  return result;
}

/**
 * Runs `use` with git environment/arguments for the transport: a temporary
 * 0600 key file and a per-repository known_hosts for SSH, an extra header
 * for HTTPS tokens (never in the URL, never in the log).
 */
async function withTransport<T>(
  transport: GitTransport,
  use: (env: NodeJS.ProcessEnv, config: string[]) => Promise<T>,
): Promise<T> {
  if (transport.kind === 'file') return use({}, []);
  if (transport.kind === 'https') {
    const basic = Buffer.from(`${transport.username}:${transport.token}`).toString('base64');
    return use({}, ['-c', `http.extraHeader=Authorization: Basic ${basic}`]);
  }
  const dir = await mkdtemp(join(tmpdir(), 'ocore-ssh-'));
  try {
    const keyFile = join(dir, 'id');
    await writeFile(keyFile, transport.privateKey, { mode: 0o600 });
    await chmod(keyFile, 0o600);
    const ssh = [
      'ssh',
      '-i',
      keyFile,
      '-o',
      'IdentitiesOnly=yes',
      '-o',
      `UserKnownHostsFile=${transport.knownHostsFile}`,
      '-o',
      'StrictHostKeyChecking=accept-new',
      '-o',
      'BatchMode=yes',
      '-o',
      'ConnectTimeout=20',
    ].join(' ');
    return await use({ GIT_SSH_COMMAND: ssh }, []);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * Makes sure the exact commit is in the repository's bare mirror: fetches
 * the ref it was pushed to, and the commit itself when the ref moved on.
 */
export async function fetchCommit(
  mirror: string,
  transport: GitTransport,
  ref: string | null,
  sha: string,
  log: BoundedLog,
): Promise<void> {
  await mkdir(mirror, { recursive: true });
  await git(['init', '--bare', '--quiet', mirror], log);
  const has = async () => {
    try {
      await git(['--git-dir', mirror, 'cat-file', '-e', `${sha}^{commit}`], log);
      return true;
    } catch {
      return false;
    }
  };
  if (await has()) {
    log.add(`commit ${sha} is already in the mirror\n`);
    return;
  }
  await withTransport(transport, async (env, config) => {
    if (ref) {
      await git(
        [...config, '--git-dir', mirror, 'fetch', '--no-tags', '--force', transport.url, `+${ref}:refs/ocore/fetched`],
        log,
        { env },
      ).catch((error: Error) => log.add(`${error.message}; trying the commit itself\n`));
    }
    if (!(await has()))
      await git([...config, '--git-dir', mirror, 'fetch', '--no-tags', transport.url, sha], log, { env });
  });
  if (!(await has())) throw new GitError(`commit ${sha} is not in ${ref ?? 'the repository'}`);
}

/** The commit a ref points at on the remote (`git ls-remote`), or null. */
export async function resolveRemoteRef(transport: GitTransport, ref: string, log: BoundedLog): Promise<string | null> {
  return withTransport(transport, async (env, config) => {
    const result = await git([...config, 'ls-remote', transport.url, ref], log, { env, timeoutMs: 60_000 });
    const line = result.output.split('\n').find((l) => /^[0-9a-f]{40}\t/.test(l) && l.endsWith(ref));
    return line ? (line.split('\t')[0] ?? null) : null;
  });
}

/** Writes the commit's tree into `target` (a new, empty directory). */
export async function exportTree(mirror: string, sha: string, target: string, log: BoundedLog): Promise<void> {
  await mkdir(target, { recursive: true });
  log.add(`$ git archive ${sha} | tar -x -C ${target}\n`);
  const archive = spawn('git', ['--git-dir', mirror, 'archive', '--format=tar', sha], {
    env: baseEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const tar = spawn('tar', ['-x', '-C', target], { stdio: ['pipe', 'ignore', 'pipe'] });
  archive.stdout.pipe(tar.stdin);
  archive.stderr.on('data', (c: Buffer) => log.add(c.toString()));
  tar.stderr.on('data', (c: Buffer) => log.add(c.toString()));
  // Either process may finish first: wait for both exit codes.
  const exit = (child: typeof archive | typeof tar) =>
    new Promise<number | null>((resolve, reject) => {
      child.once('error', reject);
      child.once('close', (code) => resolve(code));
    });
  const [archiveCode, tarCode] = await Promise.all([exit(archive), exit(tar)]);
  if (archiveCode !== 0 || tarCode !== 0) {
    throw new GitError(`exporting ${sha} failed (git archive ${archiveCode}, tar ${tarCode})`);
  }
}

/** Every branch head on the remote (`git ls-remote --heads`): works for any provider and for local repositories. */
export async function listRemoteHeads(transport: GitTransport, log: BoundedLog): Promise<Record<string, string>> {
  return withTransport(transport, async (env, config) => {
    const result = await git([...config, 'ls-remote', '--heads', transport.url], log, { env, timeoutMs: 60_000 });
    const heads: Record<string, string> = {};
    for (const line of result.output.split('\n')) {
      const match = /^([0-9a-f]{40})\trefs\/heads\/(.+)$/.exec(line.trim());
      if (match?.[1] && match[2]) heads[match[2]] = match[1];
    }
    return heads;
  });
}
