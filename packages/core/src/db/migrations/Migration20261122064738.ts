import { Migration } from '@mikro-orm/migrations';

export class Migration20261122064738 extends Migration {
  override name = 'Migration20261122064738';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "audit_events" ("id" uuid not null, "org_id" varchar(64) not null, "project_id" uuid not null, "actor" varchar(255) not null, "action" varchar(100) not null, "details" jsonb not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`create index "audit_events_project_id_index" on "audit_events" ("project_id");`);
    this.addSql(
      `create index "audit_events_project_id_created_at_index" on "audit_events" ("project_id", "created_at");`,
    );

    this.addSql(`alter table "projects" add "cfg" jsonb not null default '{}';`);

    this.addSql(
      `alter table "audit_events" add constraint "audit_events_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "audit_events" cascade;`);

    this.addSql(`alter table "projects" drop column "cfg";`);
  }
}
