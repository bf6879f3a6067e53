import { Migration } from '@mikro-orm/migrations';

export class Migration20261122070717 extends Migration {
  override name = 'Migration20261122070717';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "users" ("id" varchar(255) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "users" cascade;`);
  }
}
