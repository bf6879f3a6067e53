import { createHmac, randomUUID } from 'node:crypto';
import { DeliveryWriter } from '@ocore/core';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

// Deliveries that arrive together are stored in one statement with their job (group commit).
// These tests send many at once, so batches really hold several rows, duplicates included.

let stack: TestStack;
let admin: string;
const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });
const sql = <T>(text: string) => stack.sql<T>(text);

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token();
});
afterAll(() => stack?.close());

async function connectedProject(name: string) {
  const projectId = (await call('POST', '/api/projects', { name })).body.id as string;
  const connected = await call('POST', `/api/projects/${projectId}/repository`, {
    repoUrl: `https://github.com/acme/${name}.git`,
  });
  return { projectId, secret: connected.body.manualSetup.webhookSecret as string };
}

const pushBody = (ref: string) =>
  JSON.stringify({ ...examplePayload('github/octokit-webhooks/push/with-new-branch.payload.json'), ref });

describe('group commit of deliveries', () => {
  it('stores every concurrent delivery once, answers duplicates in the same batch with 200, and enqueues each stored one exactly once', async () => {
    const { projectId, secret } = await connectedProject('batched-ingest');
    const ids = Array.from({ length: 40 }, () => randomUUID());
    const body = pushBody('refs/heads/unmapped');
    // Each delivery id twice, all at once: the copies land in the same or a later batch.
    const replies = await Promise.all(
      [...ids, ...ids].map((id) =>
        stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push', id)),
      ),
    );
    const accepted = replies.filter((r) => r.status === 202);
    const duplicates = replies.filter((r) => r.status === 200);
    expect(accepted).toHaveLength(40);
    expect(duplicates).toHaveLength(40);
    expect(new Set(accepted.map((r) => r.body.deliveryId))).toEqual(new Set(ids));
    const firstOf = new Map(accepted.map((r) => [r.body.deliveryId, r.body.id]));
    for (const d of duplicates) expect(d.body.firstDelivery).toBe(firstOf.get(d.body.deliveryId));

    const stored = await sql<{ id: string }>(`select id from webhook_deliveries where project_id = '${projectId}'`);
    const storedIds = stored.map((r) => r.id);
    expect(storedIds.sort()).toEqual([...firstOf.values()].sort());
    const jobs = await sql<{ ids: string[] }>(
      "select data->'deliveryIds' as ids from pgboss.job where name = 'webhook.process'",
    );
    const queued = jobs.flatMap((j) => j.ids);
    for (const id of storedIds) expect(queued.filter((q) => q === id)).toHaveLength(1);
    // Fewer jobs than deliveries: the batches really held several rows.
    const batches = jobs.filter((j) => j.ids.some((id) => storedIds.includes(id)));
    expect(batches.length).toBeLessThan(40);
  });

  it('stores nothing when the job cannot be enqueued (same transaction), and the redelivery is accepted', async () => {
    const { projectId, secret } = await connectedProject('atomic-ingest');
    const body = pushBody('refs/heads/unmapped');
    const deliveryId = randomUUID();
    const headers = signedHeaders('github', secret, body, 'push', deliveryId);
    await sql(`create function refuse_jobs() returns trigger language plpgsql as $$
      begin raise exception 'job table refuses inserts'; end $$`);
    await sql('create trigger refuse_jobs before insert on pgboss.job for each row execute function refuse_jobs()');
    try {
      const refused = await stack.deliver('github', projectId, body, headers);
      expect(refused.status).toBe(503);
      const rows = await sql<{ n: number }>(
        `select count(*)::int as n from webhook_deliveries where delivery_id = '${deliveryId}'`,
      );
      expect(rows[0]?.n).toBe(0);
    } finally {
      await sql('drop trigger refuse_jobs on pgboss.job');
      await sql('drop function refuse_jobs()');
    }
    const accepted = await stack.deliver('github', projectId, body, headers);
    expect(accepted.status).toBe(202);
    const jobs = await sql<{ n: number }>(
      `select count(*)::int as n from pgboss.job where name = 'webhook.process' and data->'deliveryIds' ? '${accepted.body.id}'`,
    );
    expect(jobs[0]?.n).toBe(1);
  });

  it('a row Postgres refuses fails only its own delivery, not the others of its batch', async () => {
    const { projectId, secret } = await connectedProject('poisoned-batch');
    const body = pushBody('refs/heads/unmapped');
    await sql("alter table webhook_deliveries add constraint refuse_poison check (delivery_id not like 'poison-%')");
    try {
      const ids = [...Array.from({ length: 19 }, () => randomUUID()), `poison-${randomUUID()}`];
      const replies = await Promise.all(
        ids.map((id) => stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push', id))),
      );
      expect(replies.slice(0, 19).map((r) => r.status)).toEqual(Array(19).fill(202));
      expect(replies[19]?.status).toBe(503);
    } finally {
      await sql('alter table webhook_deliveries drop constraint refuse_poison');
    }
  });

  it('answers 400 for a delivery id longer than the column, and stores a body that is not UTF-8 as decoded text', async () => {
    const { projectId, secret } = await connectedProject('odd-deliveries');
    const body = pushBody('refs/heads/unmapped');
    const long = await stack.deliver(
      'github',
      projectId,
      body,
      signedHeaders('github', secret, body, 'push', 'x'.repeat(201)),
    );
    expect(long.status).toBe(400);
    expect(long.body.message).toBe('x-github-delivery: the delivery id is longer than 200 characters');

    // Latin-1 bytes inside a JSON string: signed as sent, not valid UTF-8.
    const bytes = Buffer.concat([Buffer.from('{"zen":"caf'), Buffer.from([0xe9]), Buffer.from('","hook_id":1}')]);
    const headers = {
      'content-type': 'application/json',
      'x-github-event': 'ping',
      'x-github-delivery': randomUUID(),
      'x-hub-signature-256': `sha256=${createHmac('sha256', secret).update(bytes).digest('hex')}`,
    };
    const res = await fetch(`${stack.webhooksUrl}/api/webhooks/github/${projectId}`, {
      method: 'POST',
      headers,
      body: bytes,
    });
    expect(res.status).toBe(202);
    const rows = await sql<{ zen: string }>(
      `select payload->>'zen' as zen from webhook_deliveries where delivery_id = '${headers['x-github-delivery']}'`,
    );
    expect(rows[0]?.zen).toBe('caf\uFFFD');
  });

  it('makes the enqueue function again when it is gone, without failing a delivery, and writers racing to make it both succeed', async () => {
    const { projectId, secret } = await connectedProject('function-gone');
    const body = pushBody('refs/heads/unmapped');
    const send = () => stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'push'));
    expect((await send()).status).toBe(202);
    const dropAll = async () => {
      const fns = await sql<{ name: string }>(
        "select proname as name from pg_proc where proname like 'ocore_enqueue_%'",
      );
      expect(fns).toHaveLength(1);
      for (const f of fns) await sql(`drop function ${f.name}(text)`);
    };
    await dropAll();
    // The receiver's writer still names the dropped function: its next batch makes it again and succeeds.
    const replies = await Promise.all(Array.from({ length: 10 }, send));
    expect(replies.map((r) => r.status)).toEqual(Array(10).fill(202));

    await dropAll();
    // Two fresh writers (two processes, say) make the function at the same moment.
    const pool = new pg.Pool({ connectionString: stack.databaseUrl, max: 4 });
    try {
      const writers = [new DeliveryWriter(pool, stack.boss), new DeliveryWriter(pool, stack.boss)];
      const outcomes = await Promise.all(
        writers.map((writer) =>
          writer.write({
            id: randomUUID(),
            provider: 'github',
            deliveryId: randomUUID(),
            event: 'push',
            projectId,
            headers: '{}',
            payload: body,
            status: 'received',
            reason: null,
            ref: 'unmapped',
          }),
        ),
      );
      expect(outcomes).toEqual([{ inserted: true }, { inserted: true }]);
    } finally {
      await pool.end();
    }
  });
});
