import type { EntityManager } from '@mikro-orm/postgresql';
import type { PgBoss } from 'pg-boss';
import { GitRepositorySchema, type Project } from '../db/entities.ts';
import { listRemoteHeads } from '../deploy/git.ts';
import { BoundedLog } from '../deploy/run-command.ts';
import { transportFor } from '../deploy/transport.ts';
import { QUEUES } from '../jobs.ts';
import { hasApiAccess, providerFor, type RepositoryDeps } from './repositories.ts';
import { routePush } from './routing.ts';

export interface PollOutcome {
  /** Provider API requests made (a 304 costs GitHub nothing against the rate limit). */
  requests: number;
  notModified: boolean;
  changedBranches: string[];
  deployments: number;
}

/**
 * Checks the heads of a repository's branches and deploys new heads of
 * mapped branches through the same routing as webhooks (so a commit a
 * webhook already deployed is not deployed again). GitHub is asked with
 * conditional requests; other providers and local repositories with
 * `git ls-remote`. The first poll only records the heads.
 */
export async function pollRepository(
  em: EntityManager,
  boss: PgBoss,
  repositoryId: string,
  deps: Pick<RepositoryDeps, 'providers' | 'secrets' | 'dataDir' | 'installationToken'>,
): Promise<PollOutcome | null> {
  const repo = await em.findOne(
    GitRepositorySchema,
    { id: repositoryId },
    { populate: ['project', 'project.branchMappings'] },
  );
  if (!repo?.pollingEnabled) return null;
  const state = repo.pollState ?? { heads: {}, etags: [] };
  const firstPoll = !repo.pollState;
  let heads: Record<string, string> | null = null;
  let requests = 0;
  const provider = await providerFor(repo, deps);
  const answer = hasApiAccess(repo)
    ? await provider.pollBranches(
        { owner: repo.repoOwner, name: repo.repoName, providerRepoId: repo.providerRepoId },
        state.etags,
      )
    : ({ supported: false } as const);
  if (answer.supported) {
    requests = answer.requests;
    if (!answer.notModified) {
      heads = Object.fromEntries(answer.refs.map((r) => [r.name, r.sha]));
      state.etags = answer.etags;
    }
  } else {
    heads = await listRemoteHeads(
      await transportFor(repo, deps.secrets, deps.dataDir, deps.installationToken),
      new BoundedLog(16 * 1024),
    );
  }
  repo.lastPolledAt = new Date();
  const outcome: PollOutcome = { requests, notModified: heads === null, changedBranches: [], deployments: 0 };
  if (heads) {
    if (!firstPoll) {
      // Deployment rows and their jobs commit together, as for a webhook.
      await em.transactional(async (tem) => {
        for (const [branch, sha] of Object.entries(heads)) {
          if (state.heads[branch] === sha) continue;
          outcome.changedBranches.push(branch);
          const routed = await routePush(
            tem,
            boss,
            repo.project as Project,
            {
              refKind: 'branch',
              refName: branch,
              before: state.heads[branch] ?? null,
              after: sha,
              forced: false,
              deleted: false,
              created: !state.heads[branch],
              headCommitMessage: null,
              pusher: null,
              providerRepoId: repo.providerRepoId ?? null,
            },
            { trigger: 'poll', deliveryId: null },
          );
          outcome.deployments += routed.ignored ? 0 : routed.deployments.length;
        }
      });
    }
    state.heads = heads;
  }
  repo.pollState = { ...state };
  await em.flush();
  return outcome;
}

/**
 * Enqueues the polls due in the next minute: each polling repository every
 * `pollIntervalSeconds`, spread over the minute so they do not arrive at once.
 */
export async function schedulePolls(em: EntityManager, boss: PgBoss): Promise<number> {
  const rows: Array<{ id: string; every: number; due: boolean }> = await em.execute(
    `select id, poll_interval_seconds as every,
       (last_polled_at is null or last_polled_at <= now() - make_interval(secs => greatest(poll_interval_seconds - 30, 0))) as due
     from git_repositories where polling_enabled order by id`,
  );
  let count = 0;
  for (const [i, row] of rows.entries()) {
    const every = Math.max(10, row.every);
    const offset = Math.floor((i * 60) / rows.length);
    const starts =
      every >= 60
        ? row.due
          ? [offset]
          : []
        : Array.from({ length: Math.ceil(60 / every) }, (_, k) => (offset % every) + k * every);
    for (const startAfter of starts.filter((s) => s < 60)) {
      await boss.send(QUEUES.repositoryPoll, { repositoryId: row.id }, { startAfter });
      count += 1;
    }
  }
  return count;
}
