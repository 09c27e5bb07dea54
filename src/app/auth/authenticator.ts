import type { Config } from '../../config.ts';
import type { AccessRepository } from '../ports/access.repository.port.ts';
import type { Authenticator, IdentityVerifier, Principal } from '../ports/identity.port.ts';
import { resolvePrincipal } from '../principal.ts';

export type { Authenticator };

/**
 * Turns request headers into a verified principal (F-AUTH): the identity from the verifier (a bearer token, or the
 * Easy Auth header when that mode is configured), the roles from the product's own records, cached briefly per
 * identity.
 */
export function createAuthenticator(
  verify: IdentityVerifier,
  access: AccessRepository,
  config: Pick<
    Config,
    'ROLE_CACHE_SECONDS' | 'PARTNER_TENANT_ID' | 'PARTNER_ADMIN_OBJECT_IDS' | 'PARTNER_ADMIN_APP_ROLE'
  >,
): Authenticator {
  const cache = new Map<string, { principal: Principal; until: number }>();
  const ttl = config.ROLE_CACHE_SECONDS * 1000;

  return async (headers) => {
    const identity = await verify(headers);
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
