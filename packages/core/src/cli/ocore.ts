#!/usr/bin/env node
// The operator's command line: `ocore start | token | migrate | rotate-secrets | project … | deployment …`.
import { parseArgs } from 'node:util';
import { mintToken } from '../auth/jwt.ts';
import { PERMISSIONS, type Permission } from '../auth/permissions.ts';
import { createOrm, migrate } from '../db/orm.ts';
import { rotateSecrets } from '../secrets/rotate.ts';
import { createSecretBox, parseKeyRing } from '../secrets/secret-box.ts';
import { CLIENT_USAGE } from './api-client.ts';
import { DEPLOYMENT_USAGE, deploymentCommand } from './deployment.ts';
import { PROJECT_USAGE, projectCommand } from './project.ts';
import { addLocalSecretsKey, loadJwtSecret, loadSecretsKeys } from './secrets.ts';
import { start } from './start.ts';

const USAGE = `usage:
  ocore start                      start Postgres (embedded unless DATABASE_URL is set), api, webhooks and worker
  ocore token [--org ID] [--sub ID] [--permissions a,b] [--expires 30d]
                                   mint an HS256 bearer token with JWT_SECRET (or the one in .data/)
  ocore migrate                    apply pending database migrations to DATABASE_URL
  ocore rotate-secrets [--new-key] re-encrypt stored secrets with the active key (SECRETS_ACTIVE_KEY);
                                   --new-key first adds a key to the local key ring in .data/
${PROJECT_USAGE}
${DEPLOYMENT_USAGE}
${CLIENT_USAGE}`;

async function tokenCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      org: { type: 'string', default: 'default' },
      sub: { type: 'string', default: 'admin' },
      permissions: { type: 'string', default: PERMISSIONS.join(',') },
      expires: { type: 'string', default: '30d' },
    },
  });
  const permissions = values.permissions.split(',').filter(Boolean);
  const unknown = permissions.filter((p) => !(PERMISSIONS as readonly string[]).includes(p));
  if (unknown.length > 0)
    throw new Error(`unknown permissions: ${unknown.join(', ')} (known: ${PERMISSIONS.join(', ')})`);
  const token = await mintToken({
    secret: loadJwtSecret(),
    sub: values.sub,
    org: values.org,
    permissions: permissions as Permission[],
    expiresIn: values.expires,
    issuer: process.env.JWT_ISSUER,
    audience: process.env.JWT_AUDIENCE,
  });
  process.stdout.write(`${token}\n`);
}

async function migrateCommand(): Promise<void> {
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const orm = await createOrm(url, 2);
  try {
    const pending = await orm.migrator.getPending();
    await migrate(orm);
    process.stdout.write(`applied ${pending.length} migration(s)\n`);
  } finally {
    await orm.close();
  }
}

async function rotateCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({ args, options: { 'new-key': { type: 'boolean', default: false } } });
  const url = process.env.DATABASE_URL;
  if (!url) throw new Error('DATABASE_URL is required');
  const ring = values['new-key'] ? addLocalSecretsKey() : loadSecretsKeys();
  const keys = parseKeyRing(ring.keys);
  const box = createSecretBox(keys, ring.active ?? [...keys.keys()].at(-1) ?? '');
  const orm = await createOrm(url, 2);
  try {
    const count = await rotateSecrets(orm.em.fork(), box);
    process.stdout.write(`re-encrypted ${count} secret(s) with key ${box.activeKeyId}\n`);
  } finally {
    await orm.close();
  }
}

const [command, ...rest] = process.argv.slice(2);
try {
  if (command === 'start') await start();
  else if (command === 'token') await tokenCommand(rest);
  else if (command === 'migrate') await migrateCommand();
  else if (command === 'rotate-secrets') await rotateCommand(rest);
  else if (command === 'project') await projectCommand(rest);
  else if (command === 'deployment') await deploymentCommand(rest);
  else {
    process.stderr.write(`${USAGE}\n`);
    process.exit(command ? 2 : 0);
  }
} catch (error) {
  process.stderr.write(`ocore ${command}: ${(error as Error).message}\n`);
  process.exit(1);
}
