import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../jobs.ts';

export interface DeliveryRow {
  id: string;
  provider: string;
  deliveryId: string;
  event: string;
  projectId: string;
  headers: string;
  payload: string;
  status: 'received' | 'ignored';
  reason: string | null;
  ref: string | null;
}

export interface WriteOutcome {
  /** False when the provider's delivery id was already stored (a redelivery). */
  inserted: boolean;
}

export class DatabaseUnavailable extends Error {}

interface Pending {
  row: DeliveryRow;
  resolve: (outcome: WriteOutcome) => void;
  reject: (error: Error) => void;
}

const COLUMNS = 11;

/**
 * Group commit for deliveries: rows that arrive while a transaction is in
 * flight are written together in the next one (one multi-row INSERT plus one
 * pg-boss insert of their jobs). Each caller is answered only after the
 * transaction holding its row committed, so nothing is acknowledged unstored.
 * At low load every delivery gets its own transaction, with no added wait.
 */
export class DeliveryWriter {
  private queue: Pending[] = [];
  private inFlight = 0;
  private readonly pool: pg.Pool;
  private readonly boss: PgBoss;
  private readonly maxBatch: number;
  private readonly maxInFlight: number;

  constructor(pool: pg.Pool, boss: PgBoss, options: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.pool = pool;
    this.boss = boss;
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? 4;
  }

  write(row: DeliveryRow): Promise<WriteOutcome> {
    return new Promise((resolve, reject) => {
      this.queue.push({ row, resolve, reject });
      if (this.inFlight < this.maxInFlight) void this.flush();
    });
  }

  /** Up to `maxInFlight` transactions at once, each taking whatever has queued up meanwhile. */
  private async flush(): Promise<void> {
    this.inFlight += 1;
    try {
      while (this.queue.length > 0) {
        const batch = this.queue.splice(0, this.maxBatch);
        try {
          const inserted = await this.commit(batch.map((p) => p.row));
          for (const p of batch) p.resolve({ inserted: inserted.has(p.row.id) });
        } catch (error) {
          for (const p of batch) p.reject(new DatabaseUnavailable((error as Error).message));
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  private async commit(rows: DeliveryRow[]): Promise<Set<string>> {
    // Two deliveries with one provider id in the same batch: keep the first, the second is a duplicate.
    const seen = new Set<string>();
    const unique = rows.filter((r) => {
      const key = `${r.provider}\u0000${r.deliveryId}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
    const values: unknown[] = [];
    const tuples = unique.map((r, i) => {
      values.push(
        r.id,
        r.provider,
        r.deliveryId,
        r.event,
        r.projectId,
        r.headers,
        r.payload,
        r.status,
        r.reason,
        r.ref,
        r.status === 'ignored' ? new Date() : null,
      );
      const base = i * COLUMNS;
      return `(${Array.from({ length: COLUMNS }, (_, k) => `$${base + k + 1}`).join(', ')}, now())`;
    });
    const client = await this.pool.connect();
    try {
      await client.query('begin');
      const result = await client.query<{ id: string }>(
        `insert into webhook_deliveries
           (id, provider, delivery_id, event, project_id, headers, payload, status, reason, ref, processed_at, received_at)
         values ${tuples.join(', ')}
         on conflict (provider, delivery_id) do nothing returning id`,
        values,
      );
      const inserted = new Set(result.rows.map((r) => r.id));
      const jobs = unique
        .filter((r) => r.status === 'received' && inserted.has(r.id))
        .map((r) => ({ data: { deliveryId: r.id } }));
      if (jobs.length > 0) {
        await this.boss.insert(QUEUES.webhookProcess, jobs, {
          db: { executeSql: (text, params) => client.query(text, params) },
        });
      }
      await client.query('commit');
      return inserted;
    } catch (error) {
      await client.query('rollback').catch(() => {});
      throw error;
    } finally {
      client.release();
    }
  }
}
