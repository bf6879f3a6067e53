import { isUtf8 } from 'node:buffer';
import { randomUUID } from 'node:crypto';
import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { PROVIDERS, type ProviderName } from '../git/repo-url.ts';
import type { Logger } from '../log.ts';
import { parseDelivery } from '../providers/index.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { DatabaseUnavailable, DeliveryWriter } from './delivery-writer.ts';
import { deliveryIdentity, storableHeaders, verifySignature } from './verify.ts';

export interface ReceiverDeps {
  pool: pg.Pool;
  boss: PgBoss;
  secrets: SecretBox;
  log: Logger;
  /** Signature failures per project since start (the log has the details). */
  rejected: Map<string, number>;
  /** Group commit of verified deliveries; made on first use when absent. */
  writer?: DeliveryWriter;
  /** Recently used webhook secrets per project; made on first use when absent. */
  secretCache?: Map<string, CachedSecret>;
  /** Secret token of GitLab system hooks (`POST /api/webhooks/gitlab/system`); unset disables them. */
  gitlabSystemHookToken?: string;
  /** The GitHub App's webhook secret (`POST /api/webhooks/github`); unset disables the app webhook. */
  githubAppWebhookSecret?: string;
}

interface CachedSecret {
  provider: string;
  secret: string | null;
  at: number;
}

export interface IncomingDelivery {
  provider: string;
  projectId: string;
  headers: Record<string, string | string[] | undefined>;
  /** The body's exact bytes (signatures cover them); a string is taken as UTF-8. */
  rawBody: Buffer | string;
}

export interface ReceiveResult {
  status: 200 | 202 | 400 | 401 | 404 | 503;
  body: Record<string, unknown>;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
const REJECTED: ReceiveResult = { status: 401, body: { code: 'UNAUTHORIZED', message: 'invalid webhook signature' } };
const SECRET_TTL_MS = 60_000;
/** webhook_deliveries.delivery_id is varchar(200); providers send UUIDs. */
const MAX_DELIVERY_ID = 200;

/**
 * The project's webhook secret, from a short-lived cache. A cached secret
 * that fails verification is looked up again, so a rotated secret works at once.
 */
async function projectSecret(
  deps: ReceiverDeps,
  projectId: string,
  fresh: boolean,
): Promise<(CachedSecret & { cached: boolean }) | undefined> {
  deps.secretCache ??= new Map();
  const cached = deps.secretCache.get(projectId);
  if (!fresh && cached && Date.now() - cached.at < SECRET_TTL_MS) return { ...cached, cached: true };
  let row: { sealed: string | null; provider: string } | undefined;
  try {
    const result = await deps.pool.query<{ sealed: string | null; provider: string }>(
      'select webhook_secret_sealed as sealed, provider from git_repositories where project_id = $1',
      [projectId],
    );
    row = result.rows[0];
  } catch (error) {
    throw new DatabaseUnavailable((error as Error).message);
  }
  if (!row) {
    deps.secretCache.delete(projectId);
    return undefined;
  }
  const entry = { provider: row.provider, secret: row.sealed ? deps.secrets.open(row.sealed) : null, at: Date.now() };
  if (deps.secretCache.size > 10_000) deps.secretCache.clear();
  deps.secretCache.set(projectId, entry);
  return { ...entry, cached: false };
}

/**
 * Counts a refused delivery on the project's repository (for "webhook not
 * triggering deployments" diagnosis). Not awaited: the 401 must not take
 * longer for a project that exists.
 */
function recordRejection(deps: ReceiverDeps, projectId: string, reason: string): void {
  deps.pool
    .query(
      `update git_repositories set
         recent_rejections = case when last_rejected_at > now() - interval '24 hours' then recent_rejections + 1 else 1 end,
         last_rejected_at = now(), last_rejection_reason = $2
       where project_id = $1`,
      [projectId, reason.slice(0, 200)],
    )
    .catch((error: Error) => deps.log.warn({ err: error.message }, 'rejection not recorded'));
}

/** GitHub may deliver `application/x-www-form-urlencoded` with the JSON in `payload`. */
const isFormEncoded = (contentType: string | undefined) =>
  contentType?.startsWith('application/x-www-form-urlencoded') ?? false;

function parseBody(raw: Buffer | string, contentType: string | undefined): unknown {
  const text = raw.toString();
  return JSON.parse(isFormEncoded(contentType) ? (new URLSearchParams(text).get('payload') ?? '') : text);
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
    if (UUID.test(incoming.projectId)) recordRejection(deps, incoming.projectId, `${provider}: ${reason}`);
    return REJECTED;
  };
  const systemHook = provider === 'gitlab' && incoming.projectId === 'system';
  const appHook = provider === 'github' && incoming.projectId === 'app';
  if (appHook) {
    // The GitHub App's webhook: every installation's events, for any project connected to the repository.
    const secret = deps.githubAppWebhookSecret;
    if (!secret || !verifySignature('github', secret, incoming.rawBody, incoming.headers))
      return reject('app webhook signature mismatch');
  } else if (systemHook) {
    // Instance-wide GitLab events (renames, transfers, deletions of any project).
    const token = deps.gitlabSystemHookToken;
    if (!token || !verifySignature('gitlab', token, incoming.rawBody, incoming.headers))
      return reject('system hook token mismatch');
  } else if (!UUID.test(incoming.projectId)) {
    return reject('malformed project id');
  }

  if (!systemHook && !appHook) {
    let found = await projectSecret(deps, incoming.projectId, false);
    if (found?.cached && found.secret && !verifySignature(provider, found.secret, incoming.rawBody, incoming.headers)) {
      found = await projectSecret(deps, incoming.projectId, true);
    }
    if (!found) return reject('unknown project or no repository');
    if (found.provider !== provider) return reject(`repository is on ${found.provider}`);
    if (!found.secret) return reject('repository has no webhook secret');
    if (!verifySignature(provider, found.secret, incoming.rawBody, incoming.headers))
      return reject('signature mismatch');
  }

  const { deliveryId: providerDeliveryId, header: idHeader, event } = deliveryIdentity(provider, incoming.headers);
  const header = incoming.headers['content-type'];
  const contentType = Array.isArray(header) ? header[0] : header;
  let payload: unknown;
  try {
    payload = parseBody(incoming.rawBody, contentType);
  } catch {
    return { status: 400, body: { code: 'BAD_REQUEST', message: 'the delivery body is not JSON' } };
  }
  const parsed = parseDelivery(provider, event, payload);
  const id = randomUUID();
  const deliveryId = providerDeliveryId ?? `ocore-${id}`;
  if (deliveryId.length > MAX_DELIVERY_ID) {
    return {
      status: 400,
      body: {
        code: 'BAD_REQUEST',
        message: `${idHeader}: the delivery id is longer than ${MAX_DELIVERY_ID} characters`,
        issues: [{ path: idHeader, message: `longer than ${MAX_DELIVERY_ID} characters` }],
      },
    };
  }
  // Kept for listing and filtering only; the worker reads the full ref from the payload.
  const ref = parsed.kind === 'push' ? (parsed.pushes[0]?.refName?.slice(0, 300) ?? null) : null;
  const ignored = parsed.kind === 'other';

  deps.writer ??= new DeliveryWriter(deps.pool, deps.boss);
  const { inserted } = await deps.writer.write({
    id,
    provider,
    deliveryId,
    event: event.slice(0, 100) || 'unknown',
    projectId: systemHook || appHook ? null : incoming.projectId,
    headers: JSON.stringify(storableHeaders(incoming.headers)),
    // The received bytes when they are the JSON and valid UTF-8; otherwise (a form's `payload`, or
    // bytes Postgres would refuse) the parsed JSON again.
    payload:
      isFormEncoded(contentType) || (Buffer.isBuffer(incoming.rawBody) && !isUtf8(incoming.rawBody))
        ? JSON.stringify(payload)
        : incoming.rawBody,
    status: ignored ? 'ignored' : 'received',
    reason: ignored ? parsed.reason : null,
    ref,
  });
  if (!inserted) {
    const existing = await deps.pool
      .query<{ id: string }>('select id from webhook_deliveries where provider = $1 and delivery_id = $2', [
        provider,
        deliveryId,
      ])
      .catch((error: Error) => {
        throw new DatabaseUnavailable(error.message);
      });
    return {
      status: 200,
      body: {
        message: 'duplicate delivery: already received',
        deliveryId,
        firstDelivery: existing.rows[0]?.id ?? null,
      },
    };
  }
  return {
    status: 202,
    body: ignored ? { id, deliveryId, status: 'ignored', reason: parsed.reason } : { id, deliveryId, status: 'queued' },
  };
}
