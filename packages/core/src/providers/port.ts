import type { ProviderName } from '../git/repo-url.ts';

/** Which repository a call is about. */
export interface RepoRef {
  owner: string;
  name: string;
  /** The provider's own id; preferred over owner/name when known. */
  providerRepoId?: string | null;
}

export interface RemoteRepository {
  providerRepoId: string;
  owner: string;
  name: string;
  defaultBranch: string;
  visibility: 'public' | 'private' | 'internal';
  archived: boolean;
  httpsCloneUrl: string;
  sshCloneUrl: string;
  webUrl: string;
}

export interface RemoteRef {
  name: string;
  sha: string;
  protected?: boolean;
}

export interface RemoteWebhook {
  id: string;
  url: string;
  active: boolean;
  events: string[];
}

export interface RemoteDeployKey {
  id: string;
  key: string;
  readOnly: boolean;
}

export interface WebhookSpec {
  url: string;
  secret: string;
}

export type CommitState = 'pending' | 'running' | 'success' | 'failure' | 'cancelled';

export interface CommitStatus {
  state: CommitState;
  /** Stable name of the check (one per instance), e.g. `ocore/production`. */
  context: string;
  description: string;
  targetUrl?: string;
  ref?: string;
}

export interface CheckRun {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'cancelled';
  detailsUrl?: string;
  externalId?: string;
  summary?: string;
}

/** What the credentials may do: scopes when the provider reports them, null when unknown. */
export interface AccessReport {
  scopes: string[] | null;
  /** Scopes (or roles) oCore needs that the token lacks. */
  missing: string[];
  /** Can the token manage webhooks and deploy keys (admin/maintainer)? null when unknown. */
  canAdminister: boolean | null;
}

export interface CheckRun {
  name: string;
  status: 'queued' | 'in_progress' | 'completed';
  conclusion?: 'success' | 'failure' | 'cancelled';
  detailsUrl?: string;
  externalId?: string;
  summary?: string;
}

export type BranchPoll =
  | { supported: false }
  | { supported: true; notModified: true; requests: number }
  | { supported: true; notModified: false; refs: RemoteRef[]; etags: string[]; requests: number };

export interface ProviderCapabilities {
  webhooks: boolean;
  deployKeys: boolean;
  commitStatuses: boolean;
  checkRuns: boolean;
  githubApp: boolean;
  nestedNamespaces: boolean;
}

/**
 * Everything oCore needs from a Git host. One implementation per provider,
 * each in its own folder; nothing outside a provider folder reads provider JSON.
 * Errors are ProviderError with the provider's HTTP status and message.
 */
export interface GitProvider {
  readonly name: ProviderName;
  readonly capabilities: ProviderCapabilities;
  /** Fetch the repository by its provider id, falling back to owner/name: renames stay harmless. */
  getRepository(ref: RepoRef): Promise<RemoteRepository>;
  /** Every branch with its head commit, following all pages. */
  listBranches(ref: RepoRef): Promise<RemoteRef[]>;
  /**
   * Branch heads for polling. `etags` are the validators of a previous answer
   * (one per page); when nothing changed the provider answers 304, which does
   * not count against GitHub's rate limit. Providers without conditional
   * requests return `supported: false`.
   */
  pollBranches(ref: RepoRef, etags: string[]): Promise<BranchPoll>;
  /** Every tag with its commit, following all pages. */
  listTags(ref: RepoRef): Promise<RemoteRef[]>;
  /** Create a push webhook that signs deliveries with the secret. */
  createWebhook(ref: RepoRef, spec: WebhookSpec): Promise<RemoteWebhook>;
  /** The webhook, or null when it no longer exists. */
  getWebhook(ref: RepoRef, id: string): Promise<RemoteWebhook | null>;
  /** Point an existing webhook at a URL and secret (and re-enable it). */
  updateWebhook(ref: RepoRef, id: string, spec: WebhookSpec): Promise<RemoteWebhook>;
  /** Delete a webhook; one that is already gone is fine. */
  deleteWebhook(ref: RepoRef, id: string): Promise<void>;
  /** Register a read-only deploy key. */
  addDeployKey(ref: RepoRef, title: string, publicKey: string): Promise<RemoteDeployKey>;
  /** The deploy key, or null when it no longer exists. */
  getDeployKey(ref: RepoRef, id: string): Promise<RemoteDeployKey | null>;
  /** Remove a deploy key; one that is already gone is fine. */
  removeDeployKey(ref: RepoRef, id: string): Promise<void>;
  /** What the credentials may do on this repository. */
  validateAccess(ref: RepoRef): Promise<AccessReport>;
  /**
   * Create (no id) or update a check run on a commit — GitHub App installations only.
   * Returns the check run id.
   */
  setCheckRun?(ref: RepoRef, sha: string, run: CheckRun, id?: string): Promise<string>;
  /** Report a deployment's state on a commit (status / commit status / build status). */
  setCommitStatus(ref: RepoRef, sha: string, status: CommitStatus): Promise<void>;
}

export interface ProviderConnection {
  /** API base URL, e.g. https://api.github.com, https://gitlab.example.com, https://api.bitbucket.org/2.0 */
  apiBaseUrl: string;
  /** Access token; for Bitbucket API tokens use `email:token`. Absent: anonymous (public repositories). */
  token?: string;
}
