import { execFileSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { generateDeployKey } from '../src/git/deploy-key.ts';

describe('deploy keys', () => {
  it('are ed25519 pairs in OpenSSH formats that ssh-keygen accepts', () => {
    const key = generateDeployKey('ocore-test');
    expect(key.publicKey).toMatch(/^ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAI[A-Za-z0-9+/]+=* ocore-test$/);
    expect(key.privateKey.startsWith('-----BEGIN OPENSSH PRIVATE KEY-----\n')).toBe(true);
    const dir = mkdtempSync(join(tmpdir(), 'key-'));
    const file = join(dir, 'id');
    writeFileSync(file, key.privateKey, { mode: 0o600 });
    const derived = execFileSync('ssh-keygen', ['-y', '-f', file], { encoding: 'utf8' }).trim();
    expect(derived).toBe(key.publicKey);
    const fingerprint = execFileSync('ssh-keygen', ['-l', '-f', file], { encoding: 'utf8' });
    expect(fingerprint).toContain(key.fingerprint);
  });

  it('are different every time', () => {
    expect(generateDeployKey('a').publicKey).not.toBe(generateDeployKey('a').publicKey);
  });
});
