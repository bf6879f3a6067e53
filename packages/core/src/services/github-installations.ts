import type { EntityManager } from '@mikro-orm/postgresql';
import type { Principal } from '../auth/permissions.ts';
import { GithubInstallationSchema } from '../db/entities.ts';
import { DomainError, invalid, notFound } from '../errors.ts';
import type { GithubApp } from '../github-app/app.ts';
import { ProviderError } from '../providers/errors.ts';
import { ensureOrganization } from './organizations.ts';

export interface InstallationView {
  installation_id: number;
  account_login: string;
  account_type: 'user' | 'organization';
  created_at: string;
}

const notConfigured = () =>
  new DomainError(
    'INVALID',
    'the GitHub App is not configured (GITHUB_APP_ID, GITHUB_APP_PRIVATE_KEY, …)',
    'githubApp',
  );

export function githubAppSettings(app: GithubApp | undefined, principal: Principal) {
  if (!app) return { configured: false, appId: null, slug: null, installUrl: null, webUrl: null };
  const s = app.settings;
  return {
    configured: true,
    appId: s.appId,
    slug: s.slug,
    clientId: s.clientId ?? null,
    installUrl: app.installUrl(principal.orgId),
    webUrl: `${s.webBaseUrl.replace(/\/+$/, '')}/apps/${s.slug}`,
  };
}

export function installUrl(app: GithubApp | undefined, principal: Principal): { installUrl: string } {
  if (!app) throw notConfigured();
  return { installUrl: app.installUrl(principal.orgId) };
}

/**
 * GitHub's redirect after an install: checks the signed state, verifies the
 * installation with the app's JWT, and records it for the state's org
 * (installing on the same account again updates the record).
 */
export async function completeInstallation(
  em: EntityManager,
  app: GithubApp | undefined,
  input: { installationId: number; state: string },
): Promise<InstallationView> {
  if (!app) throw notConfigured();
  const orgId = app.verifyState(input.state);
  if (!orgId) throw invalid('state', 'is invalid or expired; start the installation again');
  let info: Awaited<ReturnType<GithubApp['getInstallation']>>;
  try {
    info = await app.getInstallation(input.installationId);
  } catch (error) {
    if (error instanceof ProviderError && error.status === 404)
      throw invalid('installation_id', 'GitHub does not know this installation of the app');
    throw new DomainError('PROVIDER_FAILED', `GitHub could not verify the installation: ${(error as Error).message}`);
  }
  await ensureOrganization(em, orgId);
  const existing = await em.findOne(GithubInstallationSchema, { org: orgId, installationId: info.id });
  const record =
    existing ??
    em.create(GithubInstallationSchema, {
      org: orgId,
      installationId: info.id,
      accountLogin: info.accountLogin,
      accountType: info.accountType,
    });
  record.accountLogin = info.accountLogin;
  record.accountType = info.accountType;
  record.deletedAt = null;
  record.suspendedAt = info.suspendedAt ? new Date(info.suspendedAt) : null;
  await em.flush();
  return view(record);
}

const view = (r: {
  installationId: number;
  accountLogin: string;
  accountType: 'user' | 'organization';
  createdAt: Date;
}): InstallationView => ({
  installation_id: r.installationId,
  account_login: r.accountLogin,
  account_type: r.accountType,
  created_at: r.createdAt.toISOString(),
});

export async function listInstallations(em: EntityManager, principal: Principal) {
  const rows = await em.find(
    GithubInstallationSchema,
    { org: principal.orgId, deletedAt: null, suspendedAt: null },
    { orderBy: { createdAt: 'asc', id: 'asc' } },
  );
  return { installations: rows.map(view) };
}

/** Soft-deletes the installation record; the app stays installed on GitHub until removed there. */
export async function removeInstallation(
  em: EntityManager,
  principal: Principal,
  installationId: number,
  app?: GithubApp,
) {
  const updated = await em.nativeUpdate(
    GithubInstallationSchema,
    { org: principal.orgId, installationId, deletedAt: null },
    { deletedAt: new Date() },
  );
  if (updated === 0) throw notFound('installation');
  app?.forgetInstallation(installationId);
}

/**
 * The installation to use for a repository owner: the org's active
 * installation on that account (case-insensitive), else the oldest one —
 * unless that account's installation was removed or suspended, which turns
 * the app off for its repositories.
 */
export async function pickInstallation(em: EntityManager, orgId: string, owner: string): Promise<number> {
  const all = await em.find(GithubInstallationSchema, { org: orgId }, { orderBy: { createdAt: 'asc', id: 'asc' } });
  const rows = all.filter((r) => !r.deletedAt && !r.suspendedAt);
  const ofOwner = (r: { accountLogin: string }) => r.accountLogin.toLowerCase() === owner.toLowerCase();
  const match = rows.find(ofOwner);
  if (match) return match.installationId;
  // Removing an account's installation turns the app off for that account's repositories: no fallback.
  if (all.some(ofOwner)) throw invalid('authType', `the GitHub App installation on ${owner} was removed or suspended`);
  if (rows.length === 0)
    throw invalid('authType', 'no GitHub App installation for this organization; install the app first');
  return rows[0]?.installationId as number;
}
