import {
  createLocalJWKSet,
  createRemoteJWKSet,
  decodeJwt,
  errors,
  jwtVerify,
  type JWK,
  type JWTVerifyGetKey,
} from 'jose';
import { AppError } from '../../app/errors.ts';
import type { Identity } from '../../app/ports/identity.port.ts';

export interface TokenRules {
  /** Issuer template; `{tenantid}` is replaced by the token's `tid`. */
  issuer: string;
  /** `*` or the tenant ids allowed to sign in. */
  allowedTenants: '*' | string[];
  audience: string;
  clockSkewSeconds: number;
}

export type TokenVerifier = (bearer: string) => Promise<Identity>;

const unauthenticated = (message: string) => new AppError('Unauthenticated', 'AUTH.INVALID_TOKEN', message);

const guid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * Verifies an Entra ID style access token: signature (RS256 / ES256 only), audience, issuer derived from the
 * token's tenant, tenant allow-list, expiry and not-before with clock skew. Entra mode and local mode both run
 * this function; they differ only in where the keys come from.
 */
export function createTokenVerifier(rules: TokenRules, keys: JWTVerifyGetKey): TokenVerifier {
  const verify = verifier(rules, keys);
  // A token verified once is the same token next time: keep its identity until it expires, so that each
  // request of a session does not pay for the signature again. Time claims are still checked on every use.
  const verified = new Map<string, { identity: Identity; notBefore: number; expires: number }>();
  return async (token) => {
    const now = Date.now() / 1000;
    const hit = verified.get(token);
    if (hit && now + rules.clockSkewSeconds >= hit.notBefore && now - rules.clockSkewSeconds < hit.expires)
      return hit.identity;
    const { identity, notBefore, expires } = await verify(token);
    if (verified.size >= 5000) verified.clear();
    verified.set(token, { identity, notBefore, expires });
    return identity;
  };
}

function verifier(
  rules: TokenRules,
  keys: JWTVerifyGetKey,
): (token: string) => Promise<{ identity: Identity; notBefore: number; expires: number }> {
  const allowed = rules.allowedTenants === '*' ? '*' : new Set(rules.allowedTenants.map((t) => t.toLowerCase()));
  return async (token) => {
    let tid: unknown;
    try {
      tid = decodeJwt(token).tid;
    } catch {
      throw unauthenticated('The bearer token is not a well-formed JWT.');
    }
    if (typeof tid !== 'string' || !guid.test(tid)) throw unauthenticated('The token carries no tenant id (tid).');
    if (allowed !== '*' && !allowed.has(tid.toLowerCase())) {
      throw unauthenticated('Users of this tenant may not sign in to this portal.');
    }
    try {
      const { payload } = await jwtVerify(token, keys, {
        issuer: rules.issuer.replace('{tenantid}', tid),
        audience: rules.audience,
        clockTolerance: rules.clockSkewSeconds,
        algorithms: ['RS256', 'ES256'],
        requiredClaims: ['exp', 'iat', 'oid', 'tid'],
      });
      if (typeof payload.oid !== 'string' || !guid.test(payload.oid))
        throw unauthenticated('The token carries no object id (oid).');
      const email = [payload.email, payload.preferred_username, payload.upn].find(
        (v): v is string => typeof v === 'string',
      );
      const identity: Identity = {
        tenantId: tid.toLowerCase(),
        objectId: payload.oid.toLowerCase(),
        ...(email ? { email: email.toLowerCase() } : {}),
        ...(typeof payload.name === 'string' ? { name: payload.name } : {}),
        appRoles: Array.isArray(payload.roles) ? payload.roles.filter((r): r is string => typeof r === 'string') : [],
      };
      return { identity, notBefore: payload.nbf ?? 0, expires: payload.exp ?? 0 };
    } catch (error) {
      if (error instanceof AppError) throw error;
      if (error instanceof errors.JWKSTimeout || error instanceof errors.JWKSInvalid) throw keysUnavailable();
      if (error instanceof errors.JWTExpired) throw unauthenticated('The token has expired.');
      if (error instanceof errors.JWTClaimValidationFailed)
        throw unauthenticated(`The token is not valid here: ${error.claim} check failed.`);
      if (error instanceof errors.JOSEError) throw unauthenticated('The token signature or format is not valid.');
      throw error;
    }
  };
}

const keysUnavailable = () =>
  new AppError('Unavailable', 'AUTH.KEYS_UNAVAILABLE', 'The sign-in keys could not be read; try again shortly.', {
    retryAfterSeconds: 5,
  });

/**
 * The identity provider's key set, fetched and cached. A key set that cannot be read (no answer, a non-200 answer,
 * a body that is no key set) is the provider's outage, not a bad token: it answers AUTH.KEYS_UNAVAILABLE (503),
 * while a token naming a key the set does not have stays AUTH.INVALID_TOKEN.
 */
export function remoteKeys(jwksUri: string): JWTVerifyGetKey {
  const jwks = createRemoteJWKSet(new URL(jwksUri), { cooldownDuration: 30_000, cacheMaxAge: 6 * 60 * 60 * 1000 });
  return async (header, token) => {
    try {
      return await jwks(header, token);
    } catch (error) {
      const unreadable =
        !(error instanceof errors.JOSEError) || // fetch failed: refused, reset, DNS
        error instanceof errors.JWKSTimeout ||
        error instanceof errors.JWKSInvalid ||
        error.code === 'ERR_JOSE_GENERIC'; // "Expected 200 OK from the JSON Web Key Set HTTP response"
      throw unreadable ? keysUnavailable() : error;
    }
  };
}

export function localKeys(publicJwk: JWK): JWTVerifyGetKey {
  return createLocalJWKSet({ keys: [publicJwk] });
}
