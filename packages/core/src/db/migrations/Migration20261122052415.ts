import { Migration } from '@mikro-orm/migrations';

export class Migration20261122052415 extends Migration {
  override name = 'Migration20261122052415';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "organizations" ("id" varchar(64) not null, "name" varchar(200) not null, "created_at" timestamptz not null, primary key ("id"));`,
    );

    this.addSql(
      `create table "instances" ("id" uuid not null, "org_id" varchar(64) not null, "name" varchar(200) not null, "slug" varchar(100) not null, "environment" text not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(`alter table "instances" add constraint "instances_org_id_slug_unique" unique ("org_id", "slug");`);

    this.addSql(
      `create table "projects" ("id" uuid not null, "org_id" varchar(64) not null, "name" varchar(200) not null, "slug" varchar(100) not null, "description" text not null default '', "is_archived" boolean not null default false, "test_suite_enabled" boolean not null default false, "test_gate_production" text not null default 'block', "test_gate_staging" text not null default 'warn', "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `create index "projects_org_id_is_archived_name_index" on "projects" ("org_id", "is_archived", "name");`,
    );
    this.addSql(`alter table "projects" add constraint "projects_org_id_slug_unique" unique ("org_id", "slug");`);

    this.addSql(
      `create table "branch_mappings" ("id" uuid not null, "project_id" uuid not null, "branch_pattern" varchar(255) not null, "instance_id" uuid not null, "priority" int not null default 0, "created_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "branch_mappings" add constraint "branch_mappings_project_id_branch_pattern_instance_id_unique" unique ("project_id", "branch_pattern", "instance_id");`,
    );

    this.addSql(
      `create table "project_instances" ("project_id" uuid not null, "instance_id" uuid not null, "created_at" timestamptz not null, primary key ("project_id", "instance_id"));`,
    );

    this.addSql(
      `alter table "instances" add constraint "instances_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "instances" add constraint "instances_environment_check" check ("environment" in ('development', 'staging', 'production'));`,
    );

    this.addSql(
      `alter table "projects" add constraint "projects_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "projects" add constraint "projects_test_gate_production_check" check ("test_gate_production" in ('off', 'warn', 'block'));`,
    );
    this.addSql(
      `alter table "projects" add constraint "projects_test_gate_staging_check" check ("test_gate_staging" in ('off', 'warn', 'block'));`,
    );

    this.addSql(
      `alter table "branch_mappings" add constraint "branch_mappings_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "branch_mappings" add constraint "branch_mappings_instance_id_foreign" foreign key ("instance_id") references "instances" ("id") on delete cascade;`,
    );

    this.addSql(
      `alter table "project_instances" add constraint "project_instances_project_id_foreign" foreign key ("project_id") references "projects" ("id") on update cascade on delete cascade;`,
    );
    this.addSql(
      `alter table "project_instances" add constraint "project_instances_instance_id_foreign" foreign key ("instance_id") references "instances" ("id") on update cascade on delete cascade;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "instances" drop constraint "instances_org_id_foreign";`);
    this.addSql(`alter table "projects" drop constraint "projects_org_id_foreign";`);
    this.addSql(`alter table "branch_mappings" drop constraint "branch_mappings_instance_id_foreign";`);
    this.addSql(`alter table "project_instances" drop constraint "project_instances_instance_id_foreign";`);
    this.addSql(`alter table "branch_mappings" drop constraint "branch_mappings_project_id_foreign";`);
    this.addSql(`alter table "project_instances" drop constraint "project_instances_project_id_foreign";`);

    this.addSql(`drop table if exists "organizations" cascade;`);
    this.addSql(`drop table if exists "instances" cascade;`);
    this.addSql(`drop table if exists "projects" cascade;`);
    this.addSql(`drop table if exists "branch_mappings" cascade;`);
    this.addSql(`drop table if exists "project_instances" cascade;`);
  }
}
