import { invalid } from '../errors.ts';

export const PROVIDERS = ['github', 'gitlab', 'bitbucket'] as const;
export type ProviderName = (typeof PROVIDERS)[number];

/** How a provider's name is written in messages. */
export const PROVIDER_LABELS: Record<ProviderName, string> = {
  github: 'GitHub',
  gitlab: 'GitLab',
  bitbucket: 'Bitbucket',
};

export interface ParsedRepoUrl {
  provider: ProviderName;
  /** Host name without port, lowercased. */
  host: string;
  /** `https` unless the URL was plain `http` (a local or self-managed server). */
  webScheme: 'https' | 'http';
  /** Port of the web URL, when the URL was http(s) with an explicit port. */
  webPort?: number;
  /** Owner or namespace; GitLab namespaces may nest (`group/sub`). */
  owner: string;
  name: string;
  fullName: string;
  httpsCloneUrl: string;
  sshCloneUrl: string;
}

const SEGMENT = /^[A-Za-z0-9_.][A-Za-z0-9_.-]*$/;
const SCP = /^(?:([A-Za-z0-9_.-]+)@)?([A-Za-z0-9.-]+):(?!\/\/)([^\s]+)$/;

/** The provider a host belongs to, when the host says so. */
export function providerForHost(host: string): ProviderName | undefined {
  const h = host.toLowerCase();
  if (h === 'github.com' || h === 'www.github.com') return 'github';
  if (h === 'gitlab.com' || h === 'www.gitlab.com') return 'gitlab';
  if (h === 'bitbucket.org' || h === 'www.bitbucket.org') return 'bitbucket';
  if (/(^|[.-])gitlab([.-]|$)/.test(h)) return 'gitlab';
  if (/(^|[.-])github([.-]|$)/.test(h)) return 'github';
  return undefined;
}

/**
 * Parses the repository URL forms people paste: HTTPS (with or without
 * `.git`, or a web URL with extra path), scp-style SSH (`git@host:owner/repo.git`),
 * `ssh://` with a port, GitLab subgroups, and self-managed hosts.
 */
export function parseRepoUrl(input: string, providerHint?: ProviderName, field = 'repoUrl'): ParsedRepoUrl {
  const raw = input.trim();
  if (!raw) throw invalid(field, 'must not be empty');
  if (raw.length > 500 || /\s/.test(raw)) throw invalid(field, 'is not a repository URL');

  let host: string;
  let path: string;
  let webScheme: 'https' | 'http' = 'https';
  let webPort: number | undefined;
  let sshPort: number | undefined;
  let isWebUrl = false;
  if (raw.startsWith('file://')) return parseFileUrl(raw, providerHint, field);
  const scp = SCP.exec(raw);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(raw)) {
    host = scp[2] ?? '';
    path = scp[3] ?? '';
  } else {
    let url: URL;
    try {
      url = new URL(raw);
    } catch {
      throw invalid(field, 'is not a repository URL (use https://host/owner/repo or git@host:owner/repo.git)');
    }
    if (url.protocol === 'https:' || url.protocol === 'http:') {
      webScheme = url.protocol === 'http:' ? 'http' : 'https';
      webPort = url.port ? Number(url.port) : undefined;
      isWebUrl = true;
      if (url.username || url.password) throw invalid(field, 'must not contain credentials; pass accessToken instead');
    } else if (url.protocol === 'ssh:' || url.protocol === 'git+ssh:') {
      sshPort = url.port ? Number(url.port) : undefined;
    } else {
      throw invalid(field, `scheme ${url.protocol.replace(':', '')} is not supported (use https or ssh)`);
    }
    host = url.hostname;
    path = decodeURIComponent(url.pathname);
  }
  host = host.toLowerCase();
  if (!/^[a-z0-9.-]+$/.test(host)) throw invalid(field, `host "${host}" is not valid`);

  const provider = providerHint ?? providerForHost(host);
  if (!provider) {
    throw invalid(
      'provider',
      `cannot tell the provider from host "${host}"; pass provider: github, gitlab or bitbucket`,
    );
  }
  const known = providerForHost(host);
  if (providerHint && known && ['github.com', 'gitlab.com', 'bitbucket.org'].includes(host) && known !== providerHint) {
    throw invalid('provider', `"${providerHint}" does not match the host ${host} (${known})`);
  }
  if (provider === 'bitbucket' && host !== 'bitbucket.org' && host !== 'www.bitbucket.org') {
    throw invalid(field, 'only Bitbucket Cloud (bitbucket.org) is supported');
  }

  let segments = path
    .replace(/^\/+|\/+$/g, '')
    .split('/')
    .filter((s) => s.length > 0);
  if (isWebUrl) {
    const marker = segments.indexOf('-');
    if (marker >= 0) segments = segments.slice(0, marker); // GitLab web paths: group/repo/-/tree/main
    if (provider !== 'gitlab' && segments.length > 2) segments = segments.slice(0, 2); // github.com/o/r/tree/main
  }
  const last = segments.at(-1);
  if (last?.endsWith('.git')) segments[segments.length - 1] = last.slice(0, -4);
  if (segments.length < 2) throw invalid(field, 'must name an owner and a repository (owner/repo)');
  if (provider !== 'gitlab' && segments.length !== 2) throw invalid(field, 'must be owner/repo');
  for (const segment of segments) {
    if (!SEGMENT.test(segment) || segment === '.' || segment === '..') {
      throw invalid(field, `"${segment}" is not a valid owner or repository name`);
    }
  }
  const name = segments.at(-1) ?? '';
  const owner = segments.slice(0, -1).join('/');
  const fullName = `${owner}/${name}`;
  const webHost = webPort ? `${host}:${webPort}` : host;
  return {
    provider,
    host,
    webScheme,
    webPort,
    owner,
    name,
    fullName,
    httpsCloneUrl: `${webScheme}://${webHost}/${fullName}.git`,
    sshCloneUrl: sshPort ? `ssh://git@${host}:${sshPort}/${fullName}.git` : `git@${host}:${fullName}.git`,
  };
}

/** `file:///srv/git/acme/app.git`: a repository on this machine (development, tests, mirrors). */
function parseFileUrl(raw: string, providerHint: ProviderName | undefined, field: string): ParsedRepoUrl {
  if (!providerHint) throw invalid('provider', 'required for a file:// repository');
  const segments = decodeURIComponent(new URL(raw).pathname).split('/').filter(Boolean);
  const name = (segments.at(-1) ?? '').replace(/\.git$/, '');
  const owner = segments.at(-2) ?? '';
  if (!name || !owner) throw invalid(field, 'must end in /<owner>/<repo>');
  return {
    provider: providerHint,
    host: 'localhost',
    webScheme: 'https',
    owner,
    name,
    fullName: `${owner}/${name}`,
    httpsCloneUrl: raw,
    sshCloneUrl: raw,
  };
}
