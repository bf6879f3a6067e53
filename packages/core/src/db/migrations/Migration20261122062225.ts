import { Migration } from '@mikro-orm/migrations';

export class Migration20261122062225 extends Migration {
  override name = 'Migration20261122062225';

  override up(): void | Promise<void> {
    this.addSql(
      `alter table "git_repositories" add "last_rejected_at" timestamptz null, add "last_rejection_reason" varchar(200) null, add "recent_rejections" int not null default 0;`,
    );
  }

  override down(): void | Promise<void> {
    this.addSql(
      `alter table "git_repositories" drop column "last_rejected_at", drop column "last_rejection_reason", drop column "recent_rejections";`,
    );
  }
}
