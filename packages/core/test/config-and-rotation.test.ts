import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { ConfigError, loadConfig } from '../src/config.ts';
import { GitRepositorySchema, ProjectSchema } from '../src/db/entities.ts';
import type { MikroORM } from '../src/db/orm.ts';
import { rotateSecrets } from '../src/secrets/rotate.ts';
import { createSecretBox, generateKeySpec, parseKeyRing } from '../src/secrets/secret-box.ts';
import { createMigratedDatabase } from '../src/testing/database.ts';

describe('configuration', () => {
  it('lists every problem at once, naming the variable', () => {
    let error: unknown;
    try {
      loadConfig({ DATABASE_URL: 'mysql://x', JWT_SECRET: 'short', API_PORT: 'eighty', SECRETS_KEYS: 'k1:tooshort' }, [
        'database',
        'jwt',
        'secrets',
      ]);
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    const message = (error as Error).message;
    for (const name of ['DATABASE_URL', 'JWT_SECRET', 'API_PORT']) expect(message).toContain(name);
  });

  it('requires a JWT secret or JWKS URL for the API, and accepts a valid environment', () => {
    expect(() => loadConfig({ DATABASE_URL: 'postgres://localhost/x' }, ['database', 'jwt'])).toThrow(
      /JWT_SECRET or JWT_JWKS_URL/,
    );
    const config = loadConfig(
      { DATABASE_URL: 'postgres://localhost/x', JWT_SECRET: 'x'.repeat(32), SECRETS_KEYS: generateKeySpec('k1') },
      ['database', 'jwt', 'secrets'],
    );
    expect(config).toMatchObject({ API_PORT: 3000, HOST: '127.0.0.1', LOG_LEVEL: 'info' });
  });
});

describe('secret rotation', () => {
  let orm: MikroORM;
  beforeAll(async () => {
    ({ orm } = await createMigratedDatabase(inject('pgServerUrl')));
  });
  afterAll(() => orm?.close());

  it('re-encrypts every sealed value under the new active key, and is safe to repeat', async () => {
    const oldKey = generateKeySpec('old');
    const oldBox = createSecretBox(parseKeyRing(oldKey), 'old');
    const em = orm.em.fork();
    await em.execute("insert into organizations (id, name, created_at) values ('rot', 'rot', now())");
    const project = em.create(ProjectSchema, { org: 'rot', name: 'Rotated', slug: 'rotated' });
    em.create(GitRepositorySchema, {
      project,
      provider: 'github',
      repoUrl: 'https://github.com/acme/r.git',
      host: 'github.com',
      apiBaseUrl: 'https://api.github.com',
      repoOwner: 'acme',
      repoName: 'r',
      defaultBranch: 'main',
      authType: 'access_token',
      accessTokenSealed: oldBox.seal('ghp_token'),
      deployKeyPrivateSealed: oldBox.seal('-----BEGIN OPENSSH PRIVATE KEY-----'),
      webhookSecretSealed: oldBox.seal('hook-secret'),
      providerCapabilities: {},
    });
    await em.flush();
    const newBox = createSecretBox(parseKeyRing(`${oldKey},${generateKeySpec('new')}`), 'new');
    expect(await rotateSecrets(orm.em.fork(), newBox)).toBe(3);
    expect(await rotateSecrets(orm.em.fork(), newBox)).toBe(0);
    const repo = await orm.em.fork().findOneOrFail(GitRepositorySchema, { repoName: 'r' });
    expect(newBox.keyIdOf(repo.accessTokenSealed ?? '')).toBe('new');
    expect(newBox.open(repo.accessTokenSealed ?? '')).toBe('ghp_token');
    expect(newBox.open(repo.webhookSecretSealed ?? '')).toBe('hook-secret');
    // The old key alone can no longer read them.
    expect(() => oldBox.open(repo.accessTokenSealed ?? '')).toThrow();
  });
});
