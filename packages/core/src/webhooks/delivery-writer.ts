import { createHash } from 'node:crypto';
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
  /** The JSON body as received; a Buffer goes to Postgres as is, without a copy in the JS heap. */
  payload: Buffer | string;
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

const COLUMNS = [
  'id',
  'provider',
  'delivery_id',
  'event',
  'project_id',
  'headers',
  'payload',
  'status',
  'reason',
  'ref',
];

const insertTexts = new Map<number, string>();

/** `insert … values ($1, …), (…)` for `count` rows; one text per batch size, so Postgres can keep its plan. */
function insertSql(count: number): string {
  const known = insertTexts.get(count);
  if (known) return known;
  const tuples = Array.from({ length: count }, (_, row) => {
    const at = row * COLUMNS.length;
    const params = COLUMNS.map((_c, i) => `$${at + i + 1}`);
    // processed_at: an ignored delivery is done the moment it is stored.
    return `(${params.join(', ')}, case when $${at + 8} = 'ignored' then now() end, now())`;
  });
  const text = `insert into webhook_deliveries (${COLUMNS.join(', ')}, processed_at, received_at)
    values ${tuples.join(', ')}
    on conflict (provider, delivery_id) do nothing returning id`;
  insertTexts.set(count, text);
  return text;
}

/**
 * Group commit for deliveries: rows that arrive while a transaction is in
 * flight are written together in the next one (one multi-row INSERT plus one
 * pg-boss job naming them). Each caller is answered only after the
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
  /** The function running pg-boss's insert, for the SQL it was made from. */
  private enqueue: { sql: string; name: Promise<string> } | undefined;

  /**
   * Two transactions in flight measured best on 2 cores (bench/ingest.ts): one
   * leaves Postgres idle between batches, more make batches smaller and each
   * costs a pg-boss insert and a commit.
   */
  constructor(pool: pg.Pool, boss: PgBoss, options: { maxBatch?: number; maxInFlight?: number } = {}) {
    this.pool = pool;
    this.boss = boss;
    this.maxBatch = options.maxBatch ?? 100;
    this.maxInFlight = options.maxInFlight ?? 2;
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
          if (batch.length > 1 && rowCouldBeTheCause(error)) {
            // One row Postgres refused must not fail the others: write each alone.
            for (const p of batch) {
              await this.commit([p.row]).then(
                (inserted) => p.resolve({ inserted: inserted.has(p.row.id) }),
                (e: Error) => p.reject(new DatabaseUnavailable(e.message)),
              );
            }
          } else {
            for (const p of batch) p.reject(new DatabaseUnavailable((error as Error).message));
          }
        }
      }
    } finally {
      this.inFlight -= 1;
    }
  }

  /**
   * One statement per batch, so one round trip and one implicit transaction:
   * the deliveries' INSERT, with pg-boss's job insert run from a SQL function
   * in the same statement (see `enqueueFunction`). One job names every
   * received delivery of the batch; if all of them turned out to be
   * duplicates the job is not inserted at all (the function runs only when a
   * row is returned).
   */
  private async commit(rows: DeliveryRow[], retried = false): Promise<Set<string>> {
    const ids = rows.filter((r) => r.status === 'received').map((r) => r.id);
    const job = await captureSql((db) =>
      this.boss.insert(QUEUES.webhookProcess, [{ data: { deliveryIds: ids } }], { db }),
    );
    if (this.enqueue?.sql !== job.text) {
      const name = enqueueFunction(this.pool, job).catch((error: Error) => {
        this.enqueue = undefined; // try again with the next batch
        throw error;
      });
      this.enqueue = { sql: job.text, name };
    }
    const enqueue = await this.enqueue.name;
    const values = rows.flatMap((r) => [
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
    ]);
    // The jobs' JSON (enqueueFunction checked that this is pg-boss's one parameter).
    values.push(ids.length > 0 ? String(job.values[0]) : null);
    try {
      const stored = await this.pool.query<{ id: string }>({
        // Named per batch size and function: prepared once per connection, so Postgres plans it once.
        name: `ocore_deliveries_${rows.length}_${enqueue.slice(-8)}`,
        text: `with stored as (${insertSql(rows.length)}),
          queued as (select ${enqueue}($${values.length}::text) as done)
          select id, (select count(*) from queued) as queued from stored`,
        values,
      });
      return new Set(stored.rows.map((r) => r.id));
    } catch (error) {
      // The function is gone (a restored or reset database): make it again and write the batch once more.
      if ((error as { code?: string }).code !== '42883' || retried) throw error;
      this.enqueue = undefined;
      return this.commit(rows, true);
    }
  }
}

/**
 * Wraps pg-boss's job insert (its own SQL, as its `insert()` would run it) in
 * a SQL function, so a batch's deliveries and their job go to Postgres in one
 * parameterised statement: the payload bytes are sent as they arrived, with
 * no escaping or copying, and Postgres keeps the plan. The name carries a
 * hash of the SQL, so a pg-boss upgrade makes a new function. STRICT: a null
 * argument (no delivery to process) enqueues nothing.
 */
async function enqueueFunction(pool: pg.Pool, job: CapturedSql): Promise<string> {
  const [payload, ...rest] = job.values;
  if (typeof payload !== 'string' || rest.length > 0 || job.text.includes('$ocore$')) {
    throw new Error('pg-boss insert() no longer runs one statement with one JSON parameter');
  }
  const name = `ocore_enqueue_${createHash('sha1').update(job.text).digest('hex').slice(0, 20)}`;
  try {
    await pool.query(
      `create function ${name}(text) returns void language sql volatile strict as $ocore$ ${job.text} $ocore$`,
    );
  } catch (error) {
    // Made already, by this process earlier or another one just now.
    if (!['42723', '23505'].includes((error as { code?: string }).code ?? '')) throw error;
  }
  return name;
}

/** A data error (SQLSTATE class 22 or 23) may come from one row; connection or server trouble fails every row. */
function rowCouldBeTheCause(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && (code.startsWith('22') || code.startsWith('23'));
}

interface CapturedSql {
  text: string;
  values: unknown[];
}

type CaptureDb = { executeSql: (text: string, values?: unknown[]) => Promise<{ rows: [] }> };

/** The one statement pg-boss would run for `call`, without running it. */
async function captureSql(call: (db: CaptureDb) => Promise<unknown>): Promise<CapturedSql> {
  let captured: CapturedSql | undefined;
  await call({
    executeSql: async (text, values = []) => {
      if (captured) throw new Error('expected pg-boss to run one statement');
      captured = { text, values };
      return { rows: [] };
    },
  });
  if (!captured) throw new Error('pg-boss ran no statement');
  return captured;
}
