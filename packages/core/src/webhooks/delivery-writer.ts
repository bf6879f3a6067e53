import type pg from 'pg';
import type { PgBoss } from 'pg-boss';
import { QUEUES } from '../jobs.ts';

export interface DeliveryRow {
  id: string;
  provider: string;
  deliveryId: string;
  event: string;
  /** Null for instance-wide events (GitLab system hooks). */
  projectId: string | null;
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

  /**
   * One round trip per batch: the delivery INSERT and pg-boss's job INSERT go
   * to Postgres as one multi-statement query, which runs as one implicit
   * transaction. pg-boss's SQL is captured (not run) and its parameters are
   * inlined as escaped literals. One job names every delivery of the batch; a
   * delivery that turned out to be a duplicate is harmless in it, since
   * routing skips deliveries that are not `received`.
   */
  private async commit(rows: DeliveryRow[]): Promise<Set<string>> {
    const client = await this.pool.connect();
    try {
      const literal = (value: unknown): string => {
        if (value === null || value === undefined) return 'NULL';
        if (typeof value === 'number' || typeof value === 'boolean') return String(value);
        if (value instanceof Date) return client.escapeLiteral(value.toISOString());
        if (typeof value === 'string') return client.escapeLiteral(value);
        return client.escapeLiteral(JSON.stringify(value));
      };
      const inline = (text: string, values: unknown[] = []) =>
        text.replace(/\$(\d+)/g, (_m, n: string) => literal(values[Number(n) - 1]));
      const tuples = rows.map(
        (r) =>
          `(${[r.id, r.provider, r.deliveryId, r.event, r.projectId, r.headers, r.payload, r.status, r.reason, r.ref]
            .map(literal)
            .join(', ')}, ${r.status === 'ignored' ? 'now()' : 'NULL'}, now())`,
      );
      const statements = [
        `insert into webhook_deliveries
           (id, provider, delivery_id, event, project_id, headers, payload, status, reason, ref, processed_at, received_at)
         values ${tuples.join(', ')}
         on conflict (provider, delivery_id) do nothing returning id`,
      ];
      const ids = rows.filter((r) => r.status === 'received').map((r) => r.id);
      const jobs = ids.length ? [{ data: { deliveryIds: ids } }] : [];
      if (jobs.length > 0) {
        await this.boss.insert(QUEUES.webhookProcess, jobs, {
          db: {
            executeSql: async (text, values) => {
              statements.push(inline(text, values));
              return { rows: [] };
            },
          },
        });
      }
      const results = await client.query<{ id: string }>(statements.join(';\n'));
      const first = Array.isArray(results) ? results[0] : results;
      return new Set((first?.rows ?? []).map((r: { id: string }) => r.id));
    } finally {
      client.release();
    }
  }
}
