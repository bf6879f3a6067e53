import { Migration } from '@mikro-orm/migrations';

export class Migration20261122070839 extends Migration {
  override name = 'Migration20261122070839';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "github_installations" ("id" uuid not null, "org_id" varchar(64) not null, "installation_id" bigint not null, "account_login" varchar(255) not null, "account_type" text not null, "created_at" timestamptz not null, "suspended_at" timestamptz null, "deleted_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "github_installations" add constraint "github_installations_org_id_installation_id_unique" unique ("org_id", "installation_id");`,
    );

    this.addSql(
      `alter table "github_installations" add constraint "github_installations_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "github_installations" add constraint "github_installations_account_type_check" check ("account_type" in ('user', 'organization'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "github_installations" cascade;`);
  }
}
