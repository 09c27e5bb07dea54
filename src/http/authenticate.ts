import type { Config } from '../config.ts';
import { AppError } from '../app/errors.ts';
import { resolvePrincipal, type Identity, type Principal } from '../app/principal.ts';
import type { AccessRepository } from '../app/ports/access.repository.port.ts';
import { identityFromClientPrincipal } from '../adapters/auth/easy-auth.ts';
import { createTokenVerifier, localKeys, remoteKeys, type TokenVerifier } from '../adapters/auth/token-verifier.ts';
import { loadOrCreateLocalKeys } from '../adapters/auth/local-keys.ts';
import type { RequestHeaders } from './route.ts';

export type Authenticator = (headers: RequestHeaders) => Promise<Principal>;

/**
 * Turns request headers into a verified principal: the identity from the token (or the Easy Auth header when
 * that mode is configured), the roles from the product's own records, cached briefly per identity.
 */
export async function createAuthenticator(config: Config, access: AccessRepository): Promise<Authenticator> {
  const identify = await identitySource(config);
  const cache = new Map<string, { principal: Principal; until: number }>();
  const ttl = config.ROLE_CACHE_SECONDS * 1000;

  return async (headers) => {
    const identity = await identify(headers);
    const key = `${identity.tenantId}_${identity.objectId}`;
    const cached = cache.get(key);
    if (cached && cached.until > Date.now()) return { ...cached.principal, identity };
    const principal = await resolvePrincipal(identity, access, config);
    if (ttl > 0) {
      if (cache.size > 10_000) cache.clear();
      cache.set(key, { principal, until: Date.now() + ttl });
    }
    return principal;
  };
}

async function identitySource(config: Config): Promise<(headers: RequestHeaders) => Promise<Identity>> {
  if (config.AUTH_MODE === 'easyauth') {
    return async (headers) => identityFromClientPrincipal(headers.get('x-ms-client-principal'));
  }
  const keys =
    config.AUTH_MODE === 'entra'
      ? remoteKeys(config.AUTH_JWKS_URI)
      : localKeys((await loadOrCreateLocalKeys(config.DATA_DIR)).publicJwk);
  const verify: TokenVerifier = createTokenVerifier(
    {
      issuer: config.AUTH_ISSUER,
      allowedTenants:
        config.AUTH_ALLOWED_TENANTS === '*' ? '*' : config.AUTH_ALLOWED_TENANTS.split(',').map((t) => t.trim()),
      audience: config.AUTH_AUDIENCE,
      clockSkewSeconds: config.AUTH_CLOCK_SKEW_SECONDS,
    },
    keys,
  );
  return async (headers) => verify(bearerToken(headers.get('authorization')));
}

function bearerToken(header: string | null): string {
  if (!header)
    throw new AppError('Unauthenticated', 'AUTH.MISSING', 'Sign in first: send an Authorization: Bearer token.');
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1])
    throw new AppError('Unauthenticated', 'AUTH.INVALID_TOKEN', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
