import { Migration } from '@mikro-orm/migrations';

export class Migration20261122054247 extends Migration {
  override name = 'Migration20261122054247';

  override up(): void | Promise<void> {
    this.addSql(
      `create table "git_repositories" ("id" uuid not null, "project_id" uuid not null, "provider" text not null, "repo_url" varchar(500) not null, "host" varchar(255) not null, "api_base_url" varchar(500) not null, "repo_owner" varchar(255) not null, "repo_name" varchar(255) not null, "provider_repo_id" varchar(100) null, "default_branch" varchar(255) not null, "visibility" varchar(20) null, "auth_type" text not null, "access_token_sealed" text null, "deploy_key_public" text null, "deploy_key_private_sealed" text null, "deploy_key_fingerprint" varchar(100) null, "deploy_key_remote_id" varchar(100) null, "webhook_secret_sealed" text null, "webhook_url" varchar(500) null, "webhook_remote_id" varchar(100) null, "polling_enabled" boolean not null default false, "poll_interval_seconds" int not null default 60, "last_polled_at" timestamptz null, "last_synced_at" timestamptz null, "sync_status" text not null default 'idle', "sync_error" text null, "sync_status_changed_at" timestamptz null, "provider_capabilities" jsonb not null, "version" int not null default 1, "created_at" timestamptz not null, "updated_at" timestamptz not null, primary key ("id"));`,
    );
    this.addSql(
      `alter table "git_repositories" add constraint "git_repositories_project_id_unique" unique ("project_id");`,
    );
    this.addSql(`create index "git_repositories_provider_repo_id_index" on "git_repositories" ("provider_repo_id");`);
    this.addSql(
      `create index "git_repositories_provider_repo_owner_repo_name_index" on "git_repositories" ("provider", "repo_owner", "repo_name");`,
    );

    this.addSql(
      `alter table "git_repositories" add constraint "git_repositories_project_id_foreign" foreign key ("project_id") references "projects" ("id") on delete cascade;`,
    );
    this.addSql(
      `alter table "git_repositories" add constraint "git_repositories_provider_check" check ("provider" in ('github', 'gitlab', 'bitbucket'));`,
    );
    this.addSql(
      `alter table "git_repositories" add constraint "git_repositories_auth_type_check" check ("auth_type" in ('deploy_key', 'access_token', 'github_app'));`,
    );
    this.addSql(
      `alter table "git_repositories" add constraint "git_repositories_sync_status_check" check ("sync_status" in ('idle', 'queued', 'syncing', 'synced', 'error', 'not_found', 'access_denied'));`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(`drop table if exists "git_repositories" cascade;`);
  }
}
