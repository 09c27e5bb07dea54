import { createHash } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { exportJWK, generateKeyPair, importJWK, SignJWT, type JWK } from 'jose';

/**
 * The local sign-in authority: an ES256 key pair generated on first use into the git-ignored data folder.
 * The local host verifies tokens with its public half through the same verifier as Entra ID tokens.
 */
export interface LocalKeyPair {
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
}

export async function loadOrCreateLocalKeys(dataDir: string): Promise<LocalKeyPair> {
  const file = path.join(dataDir, 'auth', 'local-signing-key.json');
  try {
    return JSON.parse(await readFile(file, 'utf8')) as LocalKeyPair;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
  const { privateKey, publicKey } = await generateKeyPair('ES256', { extractable: true });
  const publicJwk = await exportJWK(publicKey);
  const kid = createHash('sha256').update(JSON.stringify(publicJwk)).digest('base64url').slice(0, 16);
  const pair: LocalKeyPair = {
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: 'ES256', use: 'sig' },
    publicJwk: { ...publicJwk, kid, alg: 'ES256', use: 'sig' },
  };
  await mkdir(path.dirname(file), { recursive: true });
  try {
    await writeFile(file, JSON.stringify(pair), { flag: 'wx', mode: 0o600 });
    return pair;
  } catch (error) {
    // Another process created it first: use theirs.
    if ((error as NodeJS.ErrnoException).code === 'EEXIST')
      return JSON.parse(await readFile(file, 'utf8')) as LocalKeyPair;
    throw error;
  }
}

export interface LocalTokenClaims {
  tenantId: string;
  objectId: string;
  email?: string;
  name?: string;
  roles?: string[];
}

export interface LocalTokenOptions {
  issuer: string;
  audience: string;
  /** Seconds from now; negative values make an expired token (for tests). */
  expiresInSeconds?: number;
  notBeforeSeconds?: number;
  now?: Date;
}

export async function signLocalToken(
  keys: LocalKeyPair,
  claims: LocalTokenClaims,
  options: LocalTokenOptions,
): Promise<string> {
  const key = await importJWK(keys.privateJwk, 'ES256');
  const nowSeconds = Math.floor((options.now ?? new Date()).getTime() / 1000);
  const jwt = new SignJWT({
    tid: claims.tenantId,
    oid: claims.objectId,
    ...(claims.email ? { email: claims.email, preferred_username: claims.email } : {}),
    ...(claims.name ? { name: claims.name } : {}),
    ...(claims.roles?.length ? { roles: claims.roles } : {}),
    ver: '2.0',
  })
    .setProtectedHeader({ alg: 'ES256', kid: keys.kid, typ: 'JWT' })
    .setIssuer(options.issuer.replace('{tenantid}', claims.tenantId))
    .setAudience(options.audience)
    .setSubject(claims.objectId)
    .setIssuedAt(nowSeconds)
    .setExpirationTime(nowSeconds + (options.expiresInSeconds ?? 8 * 60 * 60));
  if (options.notBeforeSeconds !== undefined) jwt.setNotBefore(nowSeconds + options.notBeforeSeconds);
  return jwt.sign(key);
}

export { guidFrom } from '../../domain/ids.ts';
