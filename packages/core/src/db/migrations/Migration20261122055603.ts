import { Migration } from '@mikro-orm/migrations';

export class Migration20261122055603 extends Migration {
  override name = 'Migration20261122055603';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "deployments" ("id" uuid not null, "project_id" uuid not null, "instance_id" uuid not null, "ref" varchar(300) not null, "ref_kind" text not null, "commit_sha" varchar(64) not null, "commit_message" text null, "pusher" varchar(255) null, "trigger" text not null, "delivery_id" varchar(200) null, "dedupe_key" varchar(200) null, "status" text not null default 'queued', "status_reason" text null, "attempt" int not null default 0, "release_path" varchar(1000) null, "created_at" timestamptz not null, "started_at" timestamptz null, "finished_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(`alter table "deployments" add constraint "deployments_dedupe_key_unique" unique ("dedupe_key");`);
    this.addSql(
      `create index "deployments_project_id_created_at_index" on "deployments" ("project_id", "created_at");`,
    );
    this.addSql(`create index "deployments_instance_id_status_index" on "deployments" ("instance_id", "status");`);

    this.addSql(
      `create table "notifications" ("id" uuid not null, "org_id" varchar(64) not null, "event" text not null, "deployment_id" uuid not null, "payload" jsonb not null, "created_at" timestamptz not null, "delivered_at" timestamptz null, "response_status" int null, "error" text null, primary key ("id"));`,
    );
    this.addSql(`create index "notifications_org_id_created_at_index" on "notifications" ("org_id", "created_at");`);

    this.addSql(
      `create table "deployment_steps" ("id" uuid not null, "deployment_id" uuid not null, "name" text not null, "position" int not null, "status" text not null default 'pending', "started_at" timestamptz null, "finished_at" timestamptz null, "log" text not null default '', primary key ("id"));`,
    );
    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_deployment_id_name_unique" unique ("deployment_id", "name");`,
    );

    this.addSql(
      `create table "webhook_deliveries" ("id" uuid not null, "provider" text not null, "delivery_id" varchar(200) not null, "event" varchar(100) not null, "project_id" uuid null, "received_at" timestamptz not null, "headers" jsonb not null, "payload" jsonb not null, "status" text not null default 'received', "reason" text null, "ref" varchar(300) null, "processed_at" timestamptz null, primary key ("id"));`,
    );
    this.addSql(
      `create index "webhook_deliveries_project_id_received_at_index" on "webhook_deliveries" ("project_id", "received_at");`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_provider_delivery_id_unique" unique ("provider", "delivery_id");`,
    );

    this.addSql(
      `alter table "organizations" add "notification_url" varchar(500) null, add "notification_secret_sealed" text null;`,
    );

    this.addSql(
      `alter table "instances" add "test_command" text null, add "restart_command" text null, add "restart_hook_url" varchar(500) null;`,
    );

    this.addSql(
      `alter table "deployments" add constraint "deployments_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "deployments" add constraint "deployments_instance_id_foreign" foreign key ("instance_id") references "instances" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "deployments" add constraint "deployments_ref_kind_check" check ("ref_kind" in ('branch', 'tag', 'commit'));`,
    );
    this.addSql(
      `alter table "deployments" add constraint "deployments_trigger_check" check ("trigger" in ('webhook', 'manual', 'poll'));`,
    );
    this.addSql(
      `alter table "deployments" add constraint "deployments_status_check" check ("status" in ('queued', 'running', 'succeeded', 'failed', 'cancelled', 'superseded', 'skipped'));`,
    );

    this.addSql(
      `alter table "notifications" add constraint "notifications_org_id_foreign" foreign key ("org_id") references "organizations" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_deployment_id_foreign" foreign key ("deployment_id") references "deployments" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "notifications" add constraint "notifications_event_check" check ("event" in ('deployment.started', 'deployment.succeeded', 'deployment.failed'));`,
    );

    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_deployment_id_foreign" foreign key ("deployment_id") references "deployments" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_name_check" check ("name" in ('fetch', 'build', 'test', 'push', 'restart'));`,
    );
    this.addSql(
      `alter table "deployment_steps" add constraint "deployment_steps_status_check" check ("status" in ('pending', 'running', 'succeeded', 'failed', 'skipped', 'warning'));`,
    );

    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_provider_check" check ("provider" in ('github', 'gitlab', 'bitbucket'));`,
    );
    this.addSql(
      `alter table "webhook_deliveries" add constraint "webhook_deliveries_status_check" check ("status" in ('received', 'accepted', 'ignored', 'failed'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "notifications" drop constraint "notifications_deployment_id_foreign";`);
    this.addSql(`alter table "deployment_steps" drop constraint "deployment_steps_deployment_id_foreign";`);

    this.addSql(`drop table if exists "deployments" cascade;`);
    this.addSql(`drop table if exists "notifications" cascade;`);
    this.addSql(`drop table if exists "deployment_steps" cascade;`);
    this.addSql(`drop table if exists "webhook_deliveries" cascade;`);

    this.addSql(
      `alter table "instances" drop column "test_command", drop column "restart_command", drop column "restart_hook_url";`,
    );

    this.addSql(
      `alter table "organizations" drop column "notification_url", drop column "notification_secret_sealed";`,
    );
  }
}
