import { Migration } from '@mikro-orm/migrations';

export class Migration20261122072154 extends Migration {
  override name = 'Migration20261122072154';

  override up(): void | Promise<void> {
    this.addSql(`alter table "deployments" add "check_run_id" varchar(50) null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "deployments" drop column "check_run_id";`);
  }
}
