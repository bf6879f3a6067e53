import { QUEUES } from '@ocore/core';
import { registerDeliveryPruning } from '@ocore/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { examplePayload, signedHeaders } from './helpers/sign.ts';
import { startTestStack, type TestStack } from './helpers/stack.ts';

let stack: TestStack;
let admin: string;
const call = (method: string, path: string, body?: unknown) => stack.call(method, path, { token: admin, body });
const sql = <T>(text: string) => stack.sql<T>(text);

beforeAll(async () => {
  stack = await startTestStack();
  admin = await stack.token();
});
afterAll(() => stack?.close());

describe('webhook delivery retention', () => {
  it('the daily job deletes processed deliveries past the retention period and keeps the rest', async () => {
    const projectId = (await call('POST', '/api/projects', { name: 'Retention' })).body.id as string;
    const secret = (
      await call('POST', `/api/projects/${projectId}/repository`, { repoUrl: 'https://github.com/acme/retention.git' })
    ).body.manualSetup.webhookSecret as string;
    const body = JSON.stringify(examplePayload('github/octokit-webhooks/ping/payload.json'));
    const ids: string[] = [];
    for (let i = 0; i < 3; i++) {
      const res = await stack.deliver('github', projectId, body, signedHeaders('github', secret, body, 'ping'));
      ids.push(res.body.id);
    }
    const [old, unprocessed, recent] = ids;
    // Two of them were received 40 days ago; one of those was never processed.
    await sql(
      `update webhook_deliveries set received_at = now() - interval '40 days' where id in ('${old}', '${unprocessed}')`,
    );
    await sql(`update webhook_deliveries set status = 'received', processed_at = null where id = '${unprocessed}'`);

    // What the daily schedule sends, sent now; the worker's first poll on registering takes it.
    await stack.boss.send(QUEUES.webhookPrune, {});
    await registerDeliveryPruning(stack.boss, stack.orm, 30, stack.repositories.log);
    const schedules = await sql<{ cron: string }>(
      `select cron from pgboss.schedule where name = '${QUEUES.webhookPrune}'`,
    );
    expect(schedules).toEqual([{ cron: '17 3 * * *' }]);
    const left = await stack.waitFor(
      async () =>
        (await sql<{ id: string }>(`select id from webhook_deliveries where project_id = '${projectId}'`)).map(
          (r) => r.id,
        ),
      (rows) => !rows.includes(old ?? ''),
    );
    expect(left.sort()).toEqual([unprocessed, recent].sort());
    // The delivery log no longer lists it.
    const listed = await call('GET', `/api/projects/${projectId}/webhook-deliveries?limit=100`);
    expect(listed.body.deliveries.map((d: { id: string }) => d.id)).not.toContain(old);

    // 0 turns retention off: the schedule goes away.
    await registerDeliveryPruning(stack.boss, stack.orm, 0, stack.repositories.log);
    expect(await sql(`select cron from pgboss.schedule where name = '${QUEUES.webhookPrune}'`)).toEqual([]);
  });
});
