import { describe, expect, inject, it } from 'vitest';
import { createBoss, QUEUES } from '../src/jobs.ts';
import { createLogger } from '../src/log.ts';
import { createDatabase } from '../src/testing/database.ts';

describe('queues', () => {
  it('are all created, so every app can send to and work on any of them', async () => {
    const boss = await createBoss(await createDatabase(inject('pgServerUrl')), createLogger('queues', 'silent'), 2);
    try {
      // pg-boss keeps internal queues (`__pgboss__…`) next to ours.
      const names = (await boss.getQueues()).map((q) => q.name).filter((n) => !n.startsWith('__pgboss__'));
      expect(names.sort()).toEqual(Object.values(QUEUES).sort());
    } finally {
      await boss.stop({ graceful: false });
    }
  });
});
