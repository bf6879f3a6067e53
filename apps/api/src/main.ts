import {
  announceReady,
  createBoss,
  createLogger,
  createOrm,
  createTokenVerifier,
  loadConfig,
  onShutdown,
  repositoryDepsFrom,
} from '@ocore/core';
import { buildApiServer } from './server.ts';

const config = loadConfig(process.env, ['database', 'jwt', 'secrets']);
const logger = createLogger('api', config.LOG_LEVEL);
const orm = await createOrm(config.DATABASE_URL, config.DB_POOL_MAX);
const verifyToken = createTokenVerifier({
  secret: config.JWT_SECRET,
  jwksUrl: config.JWT_JWKS_URL,
  issuer: config.JWT_ISSUER,
  audience: config.JWT_AUDIENCE,
});
const boss = await createBoss(config.DATABASE_URL, logger);
const repositories = repositoryDepsFrom(config, boss, logger, orm);
const app = await buildApiServer({ orm, verifyToken, repositories, logger, publicUrl: config.PUBLIC_API_URL });
const address = await app.listen({ host: config.HOST, port: config.API_PORT });
logger.info({ address }, 'api listening');
announceReady('api', address);

onShutdown(logger, async () => {
  await app.close();
  await boss.stop({ graceful: true });
  await orm.close();
});
