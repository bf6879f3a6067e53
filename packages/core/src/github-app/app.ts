import { createHmac, createPrivateKey, randomBytes, timingSafeEqual } from 'node:crypto';
import { importPKCS8, SignJWT } from 'jose';
import { ProviderError, retryAfterFrom } from '../providers/errors.ts';

export interface GithubAppSettings {
  appId: string;
  /** PEM (PKCS#1 or PKCS#8); `\n` escapes are accepted, as env files write them. */
  privateKey: string;
  webhookSecret: string;
  slug: string;
  clientId?: string;
  clientSecret?: string;
  /** REST API base (https://api.github.com, or https://<ghes>/api/v3). */
  apiBaseUrl: string;
  /** Web base for the install page (https://github.com, or https://<ghes>). */
  webBaseUrl: string;
}

export interface InstallationInfo {
  id: number;
  accountLogin: string;
  accountType: 'user' | 'organization';
  suspendedAt: string | null;
}

/**
 * The GitHub App's own calls: an RS256 JWT for app endpoints and installation
 * tokens, cached until five minutes before they expire.
 */
export class GithubApp {
  readonly settings: GithubAppSettings;
  private readonly tokens = new Map<number, { token: string; expiresAt: number }>();
  private keyPromise: Promise<CryptoKey> | undefined;

  constructor(settings: GithubAppSettings) {
    this.settings = { ...settings, privateKey: settings.privateKey.replace(/\\n/g, '\n') };
  }

  /** The app's JWT: RS256, issued by the app id, valid ten minutes (backdated one for clock drift). */
  async jwt(now = Math.floor(Date.now() / 1000)): Promise<string> {
    this.keyPromise ??= (async () => {
      // GitHub hands out PKCS#1 keys; jose wants PKCS#8.
      const pkcs8 = createPrivateKey(this.settings.privateKey).export({ type: 'pkcs8', format: 'pem' }).toString();
      return importPKCS8(pkcs8, 'RS256');
    })();
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.settings.appId)
      .setIssuedAt(now - 60)
      .setExpirationTime(now + 540)
      .sign(await this.keyPromise);
  }

  private async request<T>(method: string, path: string): Promise<T> {
    const response = await fetch(`${this.settings.apiBaseUrl.replace(/\/+$/, '')}${path}`, {
      method,
      headers: {
        authorization: `Bearer ${await this.jwt()}`,
        accept: 'application/json',
        'user-agent': 'ocore-projects',
      },
      signal: AbortSignal.timeout(30_000),
    });
    const body = (await response.json().catch(() => ({}))) as T & { message?: string };
    if (!response.ok)
      throw new ProviderError(
        response.status,
        body.message ?? response.statusText,
        retryAfterFrom(response.status, response.headers),
      );
    return body;
  }

  /** GET /app/installations/{id}: proves the installation exists and names its account. */
  async getInstallation(id: number): Promise<InstallationInfo> {
    const data = await this.request<{
      id: number;
      account: { login: string; type: string } | null;
      suspended_at?: string | null;
    }>('GET', `/app/installations/${id}`);
    return {
      id: data.id,
      accountLogin: data.account?.login ?? '',
      accountType: data.account?.type === 'Organization' ? 'organization' : 'user',
      suspendedAt: data.suspended_at ?? null,
    };
  }

  /** An installation access token, from the cache while it has five minutes left. */
  async installationToken(id: number): Promise<string> {
    const cached = this.tokens.get(id);
    if (cached && cached.expiresAt - Date.now() > 5 * 60_000) return cached.token;
    const data = await this.request<{ token: string; expires_at: string }>(
      'POST',
      `/app/installations/${id}/access_tokens`,
    );
    this.tokens.set(id, { token: data.token, expiresAt: Date.parse(data.expires_at) });
    return data.token;
  }

  forgetInstallation(id: number): void {
    this.tokens.delete(id);
  }

  /** A signed, expiring `state` that binds an install flow to an org. */
  signState(orgId: string, ttlSeconds = 600, now = Date.now()): string {
    const body = Buffer.from(
      JSON.stringify({ org: orgId, exp: now + ttlSeconds * 1000, n: randomBytes(8).toString('hex') }),
    ).toString('base64url');
    return `${body}.${this.mac(body)}`;
  }

  /** The org a state was issued for, or null when it is forged or expired. */
  verifyState(state: string, now = Date.now()): string | null {
    const [body, mac] = state.split('.');
    if (!body || !mac) return null;
    const expected = Buffer.from(this.mac(body));
    const given = Buffer.from(mac);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return null;
    const parsed = JSON.parse(Buffer.from(body, 'base64url').toString()) as { org?: string; exp?: number };
    return parsed.org && parsed.exp && parsed.exp > now ? parsed.org : null;
  }

  installUrl(orgId: string): string {
    const web = this.settings.webBaseUrl.replace(/\/+$/, '');
    const path = /github\.com$/.test(new URL(web).hostname) ? 'apps' : 'github-apps';
    return `${web}/${path}/${this.settings.slug}/installations/new?state=${encodeURIComponent(this.signState(orgId))}`;
  }

  private mac(body: string): string {
    return createHmac('sha256', `ocore-install-state:${this.settings.webhookSecret}`).update(body).digest('base64url');
  }
}
