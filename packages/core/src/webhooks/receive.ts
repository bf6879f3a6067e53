import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { PROVIDERS, type ProviderName } from '../git/repo-url.ts';
import { QUEUES } from '../jobs.ts';
import type { Logger } from '../log.ts';
import { parseDelivery } from '../providers/index.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { deliveryIdentity, storableHeaders, verifySignature } from './verify.ts';

export interface ReceiverDeps {
  pool: pg.Pool;
  boss: PgBoss;
  secrets: SecretBox;
  log: Logger;
  /** Signature failures per project since start (the log has the details). */
  rejected: Map<string, number>;
}

export interface IncomingDelivery {
  provider: string;
  projectId: string;
  headers: Record<string, string | string[] | undefined>;
  rawBody: string;
}

export interface ReceiveResult {
  status: 200 | 202 | 400 | 401 | 404 | 503;
  body: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REJECTED: ReceiveResult = { status: 401, body: { code: 'UNAUTHORIZED', message: 'invalid webhook signature' } };

export class DatabaseUnavailable extends Error {}

function parseBody(raw: string, contentType: string | undefined): unknown {
  // GitHub may deliver `application/x-www-form-urlencoded` with the JSON in `payload`.
  const json = contentType?.startsWith('application/x-www-form-urlencoded')
    ? (new URLSearchParams(raw).get('payload') ?? '')
    : raw;
  return JSON.parse(json);
}

/**
 * Verifies a delivery over its raw bytes, stores it and enqueues its
 * processing job in one transaction, and only then acknowledges it.
 * Unknown project, missing repository and bad signature look the same (401).
 */
export async function receiveDelivery(deps: ReceiverDeps, incoming: IncomingDelivery): Promise<ReceiveResult> {
  if (!(PROVIDERS as readonly string[]).includes(incoming.provider)) {
    return { status: 404, body: { code: 'NOT_FOUND', message: `no webhook endpoint for ${incoming.provider}` } };
  }
  const provider = incoming.provider as ProviderName;
  const reject = (reason: string) => {
    deps.rejected.set(incoming.projectId, (deps.rejected.get(incoming.projectId) ?? 0) + 1);
    deps.log.warn({ provider, projectId: incoming.projectId.slice(0, 64), reason }, 'webhook rejected');
    return REJECTED;
  };
  if (!UUID.test(incoming.projectId)) return reject('malformed project id');

  let row: { sealed: string | null; provider: string } | undefined;
  try {
    const result = await deps.pool.query<{ sealed: string | null; provider: string }>(
      'select webhook_secret_sealed as sealed, provider from git_repositories where project_id = $1',
      [incoming.projectId],
    );
    row = result.rows[0];
  } catch (error) {
    throw new DatabaseUnavailable((error as Error).message);
  }
  if (!row) return reject('unknown project or no repository');
  if (row.provider !== provider) return reject(`repository is on ${row.provider}`);
  if (!row.sealed) return reject('repository has no webhook secret');
  if (!verifySignature(provider, deps.secrets.open(row.sealed), incoming.rawBody, incoming.headers)) {
    return reject('signature mismatch');
  }

  const { deliveryId: providerDeliveryId, event } = deliveryIdentity(provider, incoming.headers);
  const contentType = incoming.headers['content-type'];
  let payload: unknown;
  try {
    payload = parseBody(incoming.rawBody, Array.isArray(contentType) ? contentType[0] : contentType);
  } catch {
    return { status: 400, body: { code: 'BAD_REQUEST', message: 'the delivery body is not JSON' } };
  }
  const parsed = parseDelivery(provider, event, payload);
  const id = randomUUID();
  const deliveryId = providerDeliveryId ?? `ocore-${id}`;
  const ref = parsed.kind === 'push' ? (parsed.pushes[0]?.refName ?? null) : null;
  const ignored = parsed.kind === 'other';

  let client: pg.PoolClient;
  try {
    client = await deps.pool.connect();
  } catch (error) {
    throw new DatabaseUnavailable((error as Error).message);
  }
  try {
    await client.query('begin');
    const inserted = await client.query(
      `insert into webhook_deliveries
         (id, provider, delivery_id, event, project_id, received_at, headers, payload, status, reason, ref, processed_at)
       values ($1, $2, $3, $4, $5, now(), $6, $7, $8, $9, $10, $11)
       on conflict (provider, delivery_id) do nothing returning id`,
      [
        id,
        provider,
        deliveryId,
        event.slice(0, 100) || 'unknown',
        incoming.projectId,
        JSON.stringify(storableHeaders(incoming.headers)),
        JSON.stringify(payload),
        ignored ? 'ignored' : 'received',
        ignored ? parsed.reason : null,
        ref,
        ignored ? new Date() : null,
      ],
    );
    if (inserted.rowCount === 0) {
      await client.query('rollback');
      const existing = await deps.pool.query<{ id: string }>(
        'select id from webhook_deliveries where provider = $1 and delivery_id = $2',
        [provider, deliveryId],
      );
      return {
        status: 200,
        body: {
          message: 'duplicate delivery: already received',
          deliveryId,
          firstDelivery: existing.rows[0]?.id ?? null,
        },
      };
    }
    if (!ignored) {
      await deps.boss.send(
        QUEUES.webhookProcess,
        { deliveryId: id },
        { db: { executeSql: (text, values) => client.query(text, values) } },
      );
    }
    await client.query('commit');
  } catch (error) {
    await client.query('rollback').catch(() => {});
    throw new DatabaseUnavailable((error as Error).message);
  } finally {
    client.release();
  }
  return {
    status: 202,
    body: ignored ? { id, deliveryId, status: 'ignored', reason: parsed.reason } : { id, deliveryId, status: 'queued' },
  };
}
