import { Migration } from '@mikro-orm/migrations';

/** The org-wide audit list (GET /api/org/audit) reads an org's events newest first. */
export class Migration20261122090000 extends Migration {
  override name = 'Migration20261122090000';

  override up(): void | Promise<void> {
    this.addSql(`create index "audit_events_org_id_created_at_index" on "audit_events" ("org_id", "created_at");`);
  }

  override down(): void | Promise<void> {
    this.addSql(`drop index "audit_events_org_id_created_at_index";`);
  }
}
