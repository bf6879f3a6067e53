import { createRemoteJWKSet, type JWTPayload, type JWTVerifyGetKey, jwtVerify, SignJWT } from 'jose';
import { z } from 'zod';
import { unauthorized } from '../errors.ts';
import { PERMISSIONS, type Permission, type Principal } from './permissions.ts';

export interface JwtSettings {
  secret?: string;
  jwksUrl?: string;
  issuer?: string;
  audience?: string;
}

const ORG_ID = /^[A-Za-z0-9_-]{1,64}$/;

const ClaimsSchema = z.object({
  sub: z.string().min(1).max(255),
  org: z.string().regex(ORG_ID, 'org must be 1-64 letters, digits, _ or -'),
  /** Absent: the membership's permissions apply as they are; present: they are narrowed to these. */
  permissions: z.array(z.string()).optional(),
});

export type TokenVerifier = (token: string) => Promise<Principal>;

/**
 * Builds the bearer-token verifier: HS256 with a shared secret, or the keys
 * of a JWKS URL (RS256/ES256/EdDSA) for a real identity provider. Algorithms
 * are pinned, so `alg: none` and algorithm confusion are rejected.
 */
export function createTokenVerifier(settings: JwtSettings): TokenVerifier {
  let key: Uint8Array | JWTVerifyGetKey;
  let algorithms: string[];
  if (settings.jwksUrl) {
    key = createRemoteJWKSet(new URL(settings.jwksUrl));
    algorithms = ['RS256', 'RS384', 'RS512', 'PS256', 'ES256', 'ES384', 'EdDSA'];
  } else if (settings.secret) {
    key = new TextEncoder().encode(settings.secret);
    algorithms = ['HS256'];
  } else {
    throw new Error('JWT verification needs a secret or a JWKS URL');
  }
  return async (token) => {
    let payload: JWTPayload;
    try {
      const options = { algorithms, issuer: settings.issuer, audience: settings.audience };
      const result =
        key instanceof Uint8Array ? await jwtVerify(token, key, options) : await jwtVerify(token, key, options);
      payload = result.payload;
    } catch (error) {
      const reason = (error as { code?: string }).code === 'ERR_JWT_EXPIRED' ? 'expired' : 'invalid';
      throw unauthorized(`bearer token is ${reason}`);
    }
    const claims = ClaimsSchema.safeParse(payload);
    if (!claims.success) throw unauthorized('bearer token is missing the sub or org claim');
    const known = new Set<string>(PERMISSIONS);
    const claimed: readonly string[] = claims.data.permissions ?? PERMISSIONS;
    const permissions = new Set(claimed.filter((p): p is Permission => known.has(p)));
    return { userId: claims.data.sub, orgId: claims.data.org, permissions };
  };
}

export interface MintOptions {
  secret: string;
  sub: string;
  org: string;
  permissions: readonly Permission[];
  /** Lifetime, e.g. '30d' or '1h'. */
  expiresIn?: string;
  issuer?: string;
  audience?: string;
}

/** Signs an HS256 token (for operators and tests; production tokens come from the IdP). */
export async function mintToken(options: MintOptions): Promise<string> {
  let jwt = new SignJWT({ org: options.org, permissions: [...options.permissions] })
    .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
    .setSubject(options.sub)
    .setIssuedAt()
    .setExpirationTime(options.expiresIn ?? '30d');
  if (options.issuer) jwt = jwt.setIssuer(options.issuer);
  if (options.audience) jwt = jwt.setAudience(options.audience);
  return jwt.sign(new TextEncoder().encode(options.secret));
}
