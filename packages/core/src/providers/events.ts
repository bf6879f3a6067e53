/** One ref update of a push, in the same shape for every provider. */
export interface PushEvent {
  refKind: 'branch' | 'tag';
  refName: string;
  before: string | null;
  after: string | null;
  forced: boolean;
  deleted: boolean;
  created: boolean;
  headCommitMessage: string | null;
  pusher: string | null;
  /** The provider's id of the repository, when the payload names it. */
  providerRepoId: string | null;
}

/** Something happened to the repository itself (pushed by the provider as it happens). */
export interface LifecycleEvent {
  action: 'renamed' | 'transferred' | 'archived' | 'unarchived' | 'deleted' | 'updated';
  providerRepoId: string | null;
  /** The repository's owner/namespace and name after the change, when the payload says. */
  owner?: string;
  name?: string;
  defaultBranch?: string;
}

/** A GitHub App installation changed (installation / installation_repositories events). */
export interface InstallationEvent {
  action: string;
  installationId: number;
  /** Provider ids of repositories added to or removed from the installation. */
  added: string[];
  removed: string[];
}

/** A verified delivery, parsed: pushes to route, a lifecycle change, or why there is nothing to do. */
export type ParsedDelivery =
  | { kind: 'push'; pushes: PushEvent[] }
  | { kind: 'lifecycle'; event: LifecycleEvent }
  | { kind: 'installation'; event: InstallationEvent }
  | { kind: 'other'; reason: string };

const ZERO = /^0+$/;
export const isZeroSha = (sha: string | null | undefined): boolean => !sha || ZERO.test(sha);

/** `refs/heads/x` → branch x, `refs/tags/v1` → tag v1. */
export function splitRef(ref: string): { refKind: 'branch' | 'tag'; refName: string } | null {
  if (ref.startsWith('refs/heads/')) return { refKind: 'branch', refName: ref.slice('refs/heads/'.length) };
  if (ref.startsWith('refs/tags/')) return { refKind: 'tag', refName: ref.slice('refs/tags/'.length) };
  return null;
}
