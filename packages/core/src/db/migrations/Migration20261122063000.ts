import { Migration } from '@mikro-orm/migrations';

/** Delivery payloads are stored as received (json), not re-encoded (jsonb): cheaper to ingest. */
export class Migration20261122063000 extends Migration {
  override name = 'Migration20261122063000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "webhook_deliveries" alter column "payload" type json using "payload"::json;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "webhook_deliveries" alter column "payload" type jsonb using "payload"::jsonb;`);
  }
}
