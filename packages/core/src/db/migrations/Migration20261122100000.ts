import { Migration } from '@mikro-orm/migrations';

/** A step stopped by a cancel (or a newer commit) while it ran is `cancelled`. */
export class Migration20261122100000 extends Migration {
  override name = 'Migration20261122100000';

  override up(): void | Promise<void> {
    this.addSql(`alter table "deployment_steps" drop constraint if exists "deployment_steps_status_check";`);
    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_status_check" check ("status" in ('pending', 'running', 'succeeded', 'failed', 'skipped', 'warning', 'cancelled'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`update "deployment_steps" set "status" = 'failed' where "status" = 'cancelled';`);
    this.addSql(`alter table "deployment_steps" drop constraint if exists "deployment_steps_status_check";`);
    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_status_check" check ("status" in ('pending', 'running', 'succeeded', 'failed', 'skipped', 'warning'));`,
    );
  }
}
