import { mkdir, readdir, readlink, rename, rm, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { MikroORM } from '@mikro-orm/postgresql';
import {
  type Deployment,
  DeploymentSchema,
  type DeploymentStatus,
  DeploymentStepSchema,
  type GitRepository,
  type Instance,
  type Project,
  STEP_NAMES,
  type StepName,
  type StepStatus,
  TERMINAL_STATUSES,
} from '../db/entities.ts';
import type { Logger } from '../log.ts';
import type { ProviderFactory } from '../providers/index.ts';
import type { CommitState } from '../providers/port.ts';
import type { SecretBox } from '../secrets/secret-box.ts';
import { hasApiAccess, providerFor } from '../services/repositories.ts';
import { exportTree, fetchCommit } from './git.ts';
import { type DeploymentEvent, notify } from './notify.ts';
import { BoundedLog, runCommand, withCancellation } from './run-command.ts';
import { transportFor, transportSecrets } from './transport.ts';

export interface DeployDeps {
  secrets: SecretBox;
  providers: ProviderFactory;
  /** Mirrors live in `<dataDir>/mirrors`, releases in `<dataDir>/instances/<slug>/releases`. */
  dataDir: string;
  /** Base URL of the API, for links back to a deployment. */
  publicApiUrl: string;
  log: Logger;
  /** Installation tokens of the GitHub App, for github_app connections. */
  installationToken?: (orgId: string, owner: string) => Promise<string>;
  /** Releases kept per instance (the current one included). */
  keepReleases?: number;
  testTimeoutMs?: number;
}

class StepFailure extends Error {}
class Cancelled extends Error {}

const releaseName = (sha: string) =>
  `${new Date().toISOString().replace(/[-:]/g, '').replace(/\..*$/, '').replace('T', '')}-${sha.slice(0, 7)}`;

export const detailsUrl = (deps: Pick<DeployDeps, 'publicApiUrl'>, id: string) =>
  `${deps.publicApiUrl.replace(/\/+$/, '')}/api/deployments/${id}`;

/** Which test gate applies to an instance's environment. */
export function testGateFor(project: Project, instance: Instance): 'off' | 'warn' | 'block' {
  if (!project.testSuiteEnabled) return 'off';
  if (instance.environment === 'production') return project.testGateProduction;
  if (instance.environment === 'staging') return project.testGateStaging;
  return 'off';
}

/**
 * Runs a deployment: fetch → build → test → push → restart. Idempotent: a
 * terminal deployment is left alone, and one interrupted part-way (the
 * worker died) starts again from fetch. Exactly one terminal status is
 * written, guarded by the current status.
 */
export async function runDeployment(
  orm: MikroORM,
  deploymentId: string,
  deps: DeployDeps,
): Promise<DeploymentStatus | null> {
  const em = orm.em.fork();
  const deployment = await em.findOne(
    DeploymentSchema,
    { id: deploymentId },
    { populate: ['project', 'project.repository', 'instance'] },
  );
  if (!deployment || TERMINAL_STATUSES.includes(deployment.status)) return deployment?.status ?? null;
  const claimed: Array<{ attempt: number }> = await em.execute(
    "update deployments set status = 'running', started_at = coalesce(started_at, now()), attempt = attempt + 1 where id = ? and status in ('queued', 'running') returning attempt",
    [deploymentId],
  );
  if (claimed.length === 0) return null;
  deployment.status = 'running';
  const project = deployment.project as Project;
  const instance = deployment.instance as Instance;
  const repo = project.repository as GitRepository | null | undefined;
  const log = deps.log.child({ deploymentId, instance: instance.slug, sha: deployment.commitSha });

  // Every attempt starts from fetch with fresh step records.
  await em.nativeDelete(DeploymentStepSchema, { deployment: deploymentId });
  for (const [position, name] of STEP_NAMES.entries()) em.create(DeploymentStepSchema, { deployment, name, position });
  await em.flush();
  em.clear();

  let checkRunId: string | undefined;
  const report = async (event: DeploymentEvent, state: CommitState, description: string) => {
    const fresh = await orm.em
      .fork()
      .findOne(DeploymentSchema, { id: deploymentId }, { populate: ['project', 'instance'] });
    if (fresh)
      await notify(orm.em.fork(), event, fresh, detailsUrl(deps, deploymentId), deps).catch((e) =>
        log.warn({ err: e }, 'notification failed'),
      );
    if (!repo || !hasApiAccess(repo)) return;
    const provider = await providerFor(repo, deps).catch((e: Error) => {
      log.warn({ err: e.message }, 'deployment state not reported');
      return null;
    });
    if (!provider) return;
    const ref = { owner: repo.repoOwner, name: repo.repoName, providerRepoId: repo.providerRepoId };
    const url = detailsUrl(deps, deploymentId);
    try {
      if (repo.authType === 'github_app' && provider.setCheckRun) {
        // GitHub App connections report a check run per instance: queued → in_progress → completed.
        const name = `oCore: ${instance.name}`;
        if (event === 'deployment.started') {
          checkRunId = await provider.setCheckRun(ref, deployment.commitSha, {
            name,
            status: 'queued',
            detailsUrl: url,
            externalId: deploymentId,
          });
          await orm.em.fork().nativeUpdate(DeploymentSchema, { id: deploymentId }, { checkRunId });
          await provider.setCheckRun(
            ref,
            deployment.commitSha,
            { name, status: 'in_progress', detailsUrl: url },
            checkRunId,
          );
        } else {
          const conclusion = state === 'success' ? 'success' : 'failure';
          await provider.setCheckRun(
            ref,
            deployment.commitSha,
            { name, status: 'completed', conclusion, detailsUrl: url, summary: description },
            checkRunId,
          );
        }
      } else {
        await provider.setCommitStatus(ref, deployment.commitSha, {
          state,
          context: `ocore/${instance.slug}`,
          description,
          targetUrl: url,
          ref: deployment.ref,
        });
      }
    } catch (error) {
      log.warn({ err: (error as Error).message }, 'deployment state not reported');
    }
  };
  await report('deployment.started', 'pending', `Deploying to ${instance.name}`);

  const finish = async (status: DeploymentStatus, reason: string | null, releasePath?: string) => {
    const updated = await orm.em
      .fork()
      .nativeUpdate(
        DeploymentSchema,
        { id: deploymentId, status: 'running' },
        { status, statusReason: reason, finishedAt: new Date(), ...(releasePath ? { releasePath } : {}) },
      );
    return updated > 0;
  };

  if (!repo) {
    await finish('failed', 'the project has no repository connected');
    await report('deployment.failed', 'failure', 'No repository connected');
    return 'failed';
  }
  if (repo.syncStatus === 'not_found' || repo.syncStatus === 'access_denied') {
    const reason = repo.syncError ?? `repository is ${repo.syncStatus.replace('_', ' ')}`;
    await finish('failed', reason);
    await report('deployment.failed', 'failure', reason);
    return 'failed';
  }

  let transport: Awaited<ReturnType<typeof transportFor>>;
  try {
    transport = await transportFor(repo, deps.secrets, deps.dataDir, deps.installationToken);
  } catch (error) {
    const reason = `cannot reach the repository: ${(error as Error).message}`;
    await finish('failed', reason);
    await report('deployment.failed', 'failure', reason);
    return 'failed';
  }
  const secrets = transportSecrets(transport);
  const mirror = join(deps.dataDir, 'mirrors', `${repo.id}.git`);
  const instanceDir = join(deps.dataDir, 'instances', instance.slug);
  const release = join(instanceDir, 'releases', releaseName(deployment.commitSha));
  const current = join(instanceDir, 'current');
  let previous: string | null = null;
  let switched = false;

  const step = async (name: StepName, run: (out: BoundedLog) => Promise<StepStatus | undefined>) => {
    const status = (await orm.em.fork().findOne(DeploymentSchema, { id: deploymentId }, { fields: ['status'] }))
      ?.status;
    if (status !== 'running') throw new Cancelled(`deployment was ${status}`);
    const stepEm = orm.em.fork();
    const record = await stepEm.findOneOrFail(DeploymentStepSchema, { deployment: deploymentId, name });
    record.status = 'running';
    record.startedAt = new Date();
    await stepEm.flush();
    const out = new BoundedLog(64 * 1024, secrets);
    // A cancel stops the step's commands at once, not only before the next step:
    // the deployment's status is checked while the step runs.
    const stop = new AbortController();
    const watch = setInterval(() => {
      orm.em
        .fork()
        .findOne(DeploymentSchema, { id: deploymentId }, { fields: ['status'] })
        .then(
          (d) => d?.status !== 'running' && stop.abort(),
          () => {},
        );
    }, 1000);
    try {
      const result = await withCancellation(stop.signal, () => run(out));
      if (stop.signal.aborted) throw new Cancelled('deployment was stopped');
      record.status = result ?? 'succeeded';
    } catch (error) {
      if (stop.signal.aborted || error instanceof Cancelled) {
        out.add('\nstopped: the deployment was cancelled\n');
        record.status = 'cancelled';
        throw new Cancelled('deployment was stopped');
      }
      out.add(`\n${(error as Error).message}\n`);
      record.status = 'failed';
      throw new StepFailure(`${name} failed: ${(error as Error).message}`);
    } finally {
      clearInterval(watch);
      record.finishedAt = new Date();
      record.log = out.toString();
      await stepEm.flush();
    }
  };

  try {
    await step('fetch', async (out) => {
      const ref =
        deployment.refKind === 'branch'
          ? `refs/heads/${deployment.ref}`
          : deployment.refKind === 'tag'
            ? `refs/tags/${deployment.ref}`
            : null;
      out.add(`fetching ${deployment.commitSha} over ${transport.kind}\n`);
      await fetchCommit(mirror, transport, ref, deployment.commitSha, out);
      return 'succeeded';
    });
    await step('build', async (out) => {
      await rm(release, { recursive: true, force: true });
      await exportTree(mirror, deployment.commitSha, release, out);
      await writeFile(
        join(release, '.ocore-release.json'),
        `${JSON.stringify({ deploymentId, commitSha: deployment.commitSha, ref: deployment.ref }, null, 2)}\n`,
      );
      out.add(`release ${release}\n`);
      return 'succeeded';
    });
    await step('test', async (out) => {
      const gate = testGateFor(project, instance);
      if (gate === 'off') {
        out.add(
          `tests not run: ${project.testSuiteEnabled ? `no gate for ${instance.environment}` : 'test suite disabled'}\n`,
        );
        return 'skipped';
      }
      if (!instance.testCommand) {
        out.add('tests not run: the instance has no test command\n');
        return 'skipped';
      }
      out.add(`$ ${instance.testCommand}   (gate: ${gate})\n`);
      const result = await runCommand('sh', ['-c', instance.testCommand], {
        cwd: release,
        log: out,
        timeoutMs: deps.testTimeoutMs ?? 30 * 60_000,
      });
      if (result.code === 0) return 'succeeded';
      const why = result.timedOut ? 'tests timed out' : `tests exited with ${result.code}`;
      if (gate === 'warn') {
        out.add(`${why}; the ${instance.environment} gate only warns\n`);
        return 'warning';
      }
      throw new Error(`${why}; the ${instance.environment} gate blocks the deployment`);
    });
    await step('push', async (out) => {
      await mkdir(instanceDir, { recursive: true });
      previous = await readlink(current).catch(() => null);
      const next = `${current}.${process.pid}.${Date.now()}`;
      await symlink(release, next);
      await rename(next, current); // atomic: readers see the old or the new release, never neither
      switched = true;
      out.add(`current -> ${release}${previous ? ` (was ${previous})` : ''}\n`);
      return 'succeeded';
    });
    await step('restart', async (out) => {
      if (instance.restartCommand) {
        out.add(`$ ${instance.restartCommand}\n`);
        const result = await runCommand('sh', ['-c', instance.restartCommand], {
          cwd: release,
          log: out,
          timeoutMs: 10 * 60_000,
          env: {
            ...process.env,
            OCORE_RELEASE_DIR: release,
            OCORE_COMMIT_SHA: deployment.commitSha,
            OCORE_INSTANCE: instance.slug,
          },
        });
        if (result.code !== 0)
          throw new Error(result.timedOut ? 'restart timed out' : `restart exited with ${result.code}`);
        return 'succeeded';
      }
      if (instance.restartHookUrl) {
        const response = await fetch(instance.restartHookUrl, {
          method: 'POST',
          headers: { 'content-type': 'application/json', 'user-agent': 'oCore-Deployments' },
          body: JSON.stringify({
            deploymentId,
            instance: instance.slug,
            commitSha: deployment.commitSha,
            releasePath: release,
          }),
          signal: AbortSignal.timeout(30_000),
        });
        out.add(`POST ${instance.restartHookUrl} → ${response.status}\n`);
        if (!response.ok) throw new Error(`restart hook answered ${response.status}`);
        return 'succeeded';
      }
      out.add('no restart command or hook configured\n');
      return 'skipped';
    });
  } catch (error) {
    if (switched && previous) {
      // A failed restart must not leave the new release active.
      const back = `${current}.rollback.${Date.now()}`;
      await symlink(previous, back);
      await rename(back, current);
    }
    await markRemainingSkipped(orm, deploymentId);
    if (error instanceof Cancelled) {
      log.info('deployment stopped: cancelled or superseded');
      return null;
    }
    const reason = (error as Error).message;
    if (await finish('failed', reason)) await report('deployment.failed', 'failure', reason.slice(0, 120));
    log.warn({ reason }, 'deployment failed');
    return 'failed';
  }
  if (await finish('succeeded', null, release))
    await report('deployment.succeeded', 'success', `Deployed to ${instance.name}`);
  await pruneReleases(join(instanceDir, 'releases'), release, deps.keepReleases ?? 5);
  log.info('deployment succeeded');
  return 'succeeded';
}

async function markRemainingSkipped(orm: MikroORM, deploymentId: string): Promise<void> {
  await orm.em
    .fork()
    .nativeUpdate(
      DeploymentStepSchema,
      { deployment: deploymentId, status: { $in: ['pending', 'running'] } },
      { status: 'skipped' },
    );
}

async function pruneReleases(dir: string, keep: string, count: number): Promise<void> {
  const names = (await readdir(dir).catch(() => [] as string[])).sort();
  const old = names.slice(0, Math.max(0, names.length - count)).filter((n) => join(dir, n) !== keep);
  await Promise.all(old.map((n) => rm(join(dir, n), { recursive: true, force: true })));
}

export type { Deployment };
