import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@ocore/core';
import { stopProcess, waitForOutput } from './process.ts';

export interface TestSshd {
  port: number;
  user: string;
  authorize(publicKey: string): void;
  stop(): Promise<void>;
}

/** A real OpenSSH server on loopback (Debian's openssh-server), accepting only the keys we authorize. */
export async function startSshd(): Promise<TestSshd> {
  const sshd = ['/usr/sbin/sshd', '/usr/bin/sshd'].find((p) => existsSync(p));
  if (!sshd) throw new Error('sshd is not installed: apt-get install openssh-server (.ci/run does this)');
  const dir = mkdtempSync(join(tmpdir(), 'ocore-sshd-'));
  chmodSync(dir, 0o755);
  const hostKey = join(dir, 'host_ed25519');
  execFileSync('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-f', hostKey]);
  const authorized = join(dir, 'authorized_keys');
  writeFileSync(authorized, '', { mode: 0o600 });
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `AuthorizedKeysFile ${authorized}`,
      'PermitRootLogin prohibit-password',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'StrictModes no',
      'UsePAM no',
      `PidFile ${join(dir, 'sshd.pid')}`,
      'LogLevel VERBOSE',
    ].join('\n'),
  );
  const child: ChildProcess = spawn(sshd, ['-D', '-e', '-f', config], { stdio: ['ignore', 'pipe', 'pipe'] });
  await waitForOutput(child, 'Server listening', 'sshd', 10_000);
  return {
    port,
    user: userInfo().username,
    authorize(publicKey) {
      writeFileSync(authorized, `${publicKey}\n`, { flag: 'a' });
    },
    async stop() {
      await stopProcess(child);
    },
  };
}
