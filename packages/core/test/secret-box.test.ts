import { describe, expect, it } from 'vitest';
import { createSecretBox, generateKeySpec, parseKeyRing } from '../src/secrets/secret-box.ts';

describe('secrets at rest', () => {
  it('seal with AES-256-GCM under the active key and open under any key of the ring', () => {
    const old = generateKeySpec('old');
    const box1 = createSecretBox(parseKeyRing(old), 'old');
    const sealed = box1.seal('ghp_supersecret');
    expect(sealed).not.toContain('ghp_supersecret');
    expect(sealed.startsWith('v1:old:')).toBe(true);
    expect(box1.seal('ghp_supersecret')).not.toBe(sealed);
    const box2 = createSecretBox(parseKeyRing(`${old},${generateKeySpec('new')}`), 'new');
    expect(box2.open(sealed)).toBe('ghp_supersecret');
    expect(box2.keyIdOf(box2.seal('x'))).toBe('new');
  });

  it('refuse tampered values and unknown keys', () => {
    const box = createSecretBox(parseKeyRing(generateKeySpec('k')), 'k');
    const sealed = box.seal('value');
    const parts = sealed.split(':');
    parts[4] = Buffer.from('tampered').toString('base64url');
    expect(() => box.open(parts.join(':'))).toThrow();
    const other = createSecretBox(parseKeyRing(generateKeySpec('z')), 'z');
    expect(() => other.open(sealed)).toThrow(/key "k"/);
  });

  it('validate the key ring', () => {
    expect(() => parseKeyRing('k:short')).toThrow(/32 bytes/);
    expect(() => parseKeyRing('')).toThrow(/no keys/);
    expect(() => createSecretBox(parseKeyRing(generateKeySpec('a')), 'b')).toThrow(/not in SECRETS_KEYS/);
  });
});
