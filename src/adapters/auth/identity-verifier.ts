import type { Config } from '../../config.ts';
import { AppError } from '../../app/errors.ts';
import type { HeaderReader, IdentityVerifier } from '../../app/ports/identity.port.ts';
import { identityFromClientPrincipal } from './easy-auth.ts';
import { loadOrCreateLocalKeys } from './local-keys.ts';
import { createTokenVerifier, localKeys, remoteKeys, type TokenVerifier } from './token-verifier.ts';

/**
 * The identity verifier of AUTH_MODE: `easyauth` reads the platform's client-principal header; `entra` verifies
 * the bearer token against Entra ID's keys, `local` against the local key pair (the same code path).
 */
export async function createIdentityVerifier(
  config: Pick<
    Config,
    | 'AUTH_MODE'
    | 'AUTH_JWKS_URI'
    | 'DATA_DIR'
    | 'AUTH_ISSUER'
    | 'AUTH_ALLOWED_TENANTS'
    | 'AUTH_AUDIENCE'
    | 'AUTH_CLOCK_SKEW_SECONDS'
  >,
): Promise<IdentityVerifier> {
  if (config.AUTH_MODE === 'easyauth') {
    return async (headers: HeaderReader) => identityFromClientPrincipal(headers.get('x-ms-client-principal'));
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
  return async (headers: HeaderReader) => verify(bearerToken(headers.get('authorization')));
}

function bearerToken(header: string | null): string {
  if (!header)
    throw new AppError('Unauthenticated', 'AUTH.MISSING', 'Sign in first: send an Authorization: Bearer token.');
  const match = /^Bearer +([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!match?.[1])
    throw new AppError('Unauthenticated', 'AUTH.INVALID_TOKEN', 'The Authorization header must be "Bearer <token>".');
  return match[1];
}
