import { Writable } from 'node:stream';
import { buildApiServer } from '@ocore/api';
import { createLogger, createTokenVerifier, mintToken, PERMISSIONS } from '@ocore/core';
import { createMigratedDatabase } from '@ocore/core/testing';
import { describe, expect, inject, it } from 'vitest';

describe('logs', () => {
  it('never contain the bearer token, even when a request fails', async () => {
    const lines: string[] = [];
    const sink = new Writable({
      write(chunk, _enc, done) {
        lines.push(String(chunk));
        done();
      },
    });
    const { orm } = await createMigratedDatabase(inject('pgServerUrl'));
    const secret = 'log-test-secret-that-is-long-enough-1234';
    const app = await buildApiServer({
      orm,
      verifyToken: createTokenVerifier({ secret }),
      logger: createLogger('api', 'trace', sink),
    });
    const token = await mintToken({ secret, sub: 'u', org: 'acme', permissions: PERMISSIONS });
    try {
      await app.inject({ method: 'GET', url: '/api/projects', headers: { authorization: `Bearer ${token}` } });
      await app.inject({ method: 'GET', url: '/api/projects', headers: { authorization: `Bearer ${token}x` } });
      app.log.info({ req: { headers: { authorization: `Bearer ${token}` } } }, 'explicitly logged request');
      app.log.info({ accessToken: 'ghp_secretvalue', webhookSecret: 'whsec' }, 'explicitly logged secrets');
    } finally {
      await app.close();
      await orm.close();
    }
    const all = lines.join('');
    expect(lines.length).toBeGreaterThan(3);
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toContain('ghp_secretvalue');
    expect(all).not.toContain('whsec');
    expect(all).toContain('[redacted]');
  });
});
