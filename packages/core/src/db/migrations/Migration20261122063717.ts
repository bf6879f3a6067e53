import { Migration } from '@mikro-orm/migrations';

export class Migration20261122063717 extends Migration {
  override name = 'Migration20261122063717';

  override up(): void | Promise<void> {
    this.addSql(`alter table "git_repositories" add "poll_state" jsonb null;`);
  }

  override down(): void | Promise<void> {
    this.addSql(`alter table "git_repositories" drop column "poll_state";`);
  }
}
