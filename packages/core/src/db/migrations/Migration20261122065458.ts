import { Migration } from '@mikro-orm/migrations';

export class Migration20261122065458 extends Migration {
  override name = 'Migration20261122065458';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "memberships" ("org_id" varchar(64) not null, "user_id" varchar(255) not null, "role" text not null, "created_at" timestamptz not null, primary key ("org_id", "user_id"));`,
    );

    this.addSql(
      `create table "teams" ("id" uuid not null, "org_id" varchar(64) not null, "name" varchar(200) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "teams" add constraint "teams_org_id_name_unique" unique ("org_id", "name");`);

    this.addSql(
      `create table "project_access_rules" ("id" uuid not null, "project_id" uuid not null, "team_id" uuid null, "user_id" varchar(255) null, "level" text not null, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "project_access_rules" add constraint "project_access_rules_project_id_team_id_unique" unique ("project_id", "team_id");`,
    );
    this.addSql(
      `alter table "project_access_rules" add constraint "project_access_rules_project_id_user_id_unique" unique ("project_id", "user_id");`,
    );

    this.addSql(
      `create table "team_members" ("team_id" uuid not null, "user_id" varchar(255) not null, primary key ("team_id", "user_id"));`,
    );

    this.addSql(`alter table "projects" add "is_restricted" boolean not null default false;`);

    this.addSql(
      `alter table "memberships" add constraint "memberships_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "memberships" add constraint "memberships_role_check" check ("role" in ('owner', 'admin', 'developer', 'viewer'));`,
    );

    this.addSql(
      `alter table "teams" add constraint "teams_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "project_access_rules" add constraint "project_access_rules_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "project_access_rules" add constraint "project_access_rules_team_id_foreign" foreign key ("team_id") references "teams" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "project_access_rules" add constraint "project_access_rules_level_check" check ("level" in ('READER', 'WRITER', 'OWNER'));`,
    );

    this.addSql(
      `alter table "team_members" add constraint "team_members_team_id_foreign" foreign key ("team_id") references "teams" ("id") on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "project_access_rules" drop constraint "project_access_rules_team_id_foreign";`);
    this.addSql(`alter table "team_members" drop constraint "team_members_team_id_foreign";`);

    this.addSql(`drop table if exists "memberships" cascade;`);
    this.addSql(`drop table if exists "teams" cascade;`);
    this.addSql(`drop table if exists "project_access_rules" cascade;`);
    this.addSql(`drop table if exists "team_members" cascade;`);

    this.addSql(`alter table "projects" drop column "is_restricted";`);
  }
}
