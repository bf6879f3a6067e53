import { createServer, type Server } from 'node:http';
import { exportJWK, generateKeyPair, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTokenVerifier, mintToken } from '../src/auth/jwt.ts';
import { hasPermission } from '../src/auth/permissions.ts';

let server: Server;
let jwksUrl: string;
let privateKey: CryptoKey;

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const jwk = { ...(await exportJWK(pair.publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  server = createServer((_req, res) => {
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [jwk] }));
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const address = server.address();
  jwksUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}/jwks.json`;
});
afterAll(() => new Promise<void>((done) => server.close(() => done())));

describe('token verification', () => {
  it("accepts an identity provider's RS256 token through its JWKS URL", async () => {
    const verify = createTokenVerifier({ jwksUrl, issuer: 'https://idp.example', audience: 'ocore' });
    const token = await new SignJWT({ org: 'acme', permissions: ['view:projects', 'not:a-permission'] })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('alice')
      .setIssuer('https://idp.example')
      .setAudience('ocore')
      .setExpirationTime('5m')
      .sign(privateKey);
    const principal = await verify(token);
    expect(principal.userId).toBe('alice');
    expect(principal.orgId).toBe('acme');
    expect([...principal.permissions]).toEqual(['view:projects']);
    const wrongAudience = await new SignJWT({ org: 'acme' })
      .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
      .setSubject('alice')
      .setIssuer('https://idp.example')
      .setAudience('someone-else')
      .setExpirationTime('5m')
      .sign(privateKey);
    await expect(verify(wrongAudience)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
  });

  it('refuses an HS256 token signed with the JWKS public key material (algorithm confusion)', async () => {
    const verify = createTokenVerifier({ jwksUrl });
    const forged = await mintToken({ secret: 'a'.repeat(40), sub: 'x', org: 'acme', permissions: [] });
    await expect(verify(forged)).rejects.toMatchObject({ kind: 'UNAUTHORIZED' });
  });

  it('lets manage:projects imply view:projects but nothing else', () => {
    const principal = { userId: 'u', orgId: 'o', permissions: new Set(['manage:projects'] as const) };
    expect(hasPermission(principal, 'view:projects')).toBe(true);
    expect(hasPermission(principal, 'manage:org_settings')).toBe(false);
  });
});
