import { describe, expect, it } from 'vitest';
import { startTestApi } from './helpers/api.ts';

describe('logs', () => {
  it('never contain the bearer token or secrets, even when a request fails', async () => {
    const api = await startTestApi();
    const token = await api.token();
    try {
      await api.call('GET', '/api/projects', { token });
      await api.call('GET', '/api/projects', { token: `${token}x` });
      const logger = api.repositories.log;
      logger.info({ req: { headers: { authorization: `Bearer ${token}` } } }, 'explicitly logged request');
      logger.info(
        { accessToken: 'ghp_secretvalue', webhookSecret: 'whsec', nested: { token: 'tok' } },
        'explicitly logged secrets',
      );
    } finally {
      await api.close();
    }
    const all = api.logs.join('');
    expect(api.logs.length).toBeGreaterThan(3);
    expect(all).not.toContain(token.split('.')[2]);
    expect(all).not.toContain('ghp_secretvalue');
    expect(all).not.toContain('whsec');
    expect(all).toContain('[redacted]');
  });
});
