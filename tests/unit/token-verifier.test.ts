import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { AppError } from '../../src/app/errors.ts';
import { createTokenVerifier, localKeys, type TokenVerifier } from '../../src/adapters/auth/token-verifier.ts';
import {
  loadOrCreateLocalKeys,
  signLocalToken,
  type LocalKeyPair,
  type LocalTokenOptions,
} from '../../src/adapters/auth/local-keys.ts';

const tenant = '22222222-2222-4222-8222-222222222222';
const user = '33333333-3333-4333-8333-333333333333';
const rules = {
  issuer: 'https://login.example/{tenantid}/v2.0',
  audience: 'api://portal',
  allowedTenants: '*' as const,
  clockSkewSeconds: 60,
};

let keys: LocalKeyPair;
let otherKeys: LocalKeyPair;
let verify: TokenVerifier;

const sign = (
  options: Partial<LocalTokenOptions> = {},
  claims: Partial<{ tenantId: string; objectId: string }> = {},
  pair = keys,
) =>
  signLocalToken(
    pair,
    { tenantId: tenant, objectId: user, email: 'Alice@Contoso.example', name: 'Alice', ...claims },
    { issuer: rules.issuer, audience: rules.audience, ...options },
  );

async function refusal(token: string, v = verify): Promise<AppError> {
  try {
    await v(token);
  } catch (error) {
    expect(error).toBeInstanceOf(AppError);
    return error as AppError;
  }
  throw new Error('expected the token to be refused');
}

beforeAll(async () => {
  keys = await loadOrCreateLocalKeys(mkdtempSync(path.join(tmpdir(), 'keys-')));
  otherKeys = await loadOrCreateLocalKeys(mkdtempSync(path.join(tmpdir(), 'keys-')));
  verify = createTokenVerifier(rules, localKeys(keys.publicJwk));
});

describe('token verifier', () => {
  it('accepts a good token and returns the identity in lower case', async () => {
    await expect(verify(await sign())).resolves.toEqual({
      tenantId: tenant,
      objectId: user,
      email: 'alice@contoso.example',
      name: 'Alice',
      appRoles: [],
    });
  });

  it('reuses the key pair already in the data folder', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'keys-'));
    const first = await loadOrCreateLocalKeys(dir);
    expect((await loadOrCreateLocalKeys(dir)).kid).toBe(first.kid);
  });

  it('refuses an expired token, but tolerates the configured clock skew', async () => {
    expect((await refusal(await sign({ expiresInSeconds: -120 }))).message).toMatch(/expired/);
    await expect(verify(await sign({ expiresInSeconds: -30 }))).resolves.toBeTruthy();
  });

  it('refuses a token that is not valid yet', async () => {
    expect((await refusal(await sign({ notBeforeSeconds: 600 }))).message).toMatch(/nbf/);
  });

  it('refuses the wrong audience', async () => {
    expect((await refusal(await sign({ audience: 'api://someone-else' }))).message).toMatch(/aud/);
  });

  it('refuses an issuer that does not match the token tenant', async () => {
    const wrongIssuer = await signLocalToken(
      keys,
      { tenantId: tenant, objectId: user },
      { issuer: 'https://login.example/44444444-4444-4444-8444-444444444444/v2.0', audience: rules.audience },
    );
    expect((await refusal(wrongIssuer)).message).toMatch(/iss/);
    const otherAuthority = await sign({ issuer: 'https://evil.example/{tenantid}/v2.0' });
    expect((await refusal(otherAuthority)).code).toBe('AUTH.INVALID_TOKEN');
  });

  it('refuses a token signed by another key, and a tampered one', async () => {
    expect((await refusal(await sign({}, {}, otherKeys))).message).toMatch(/signature/);
    const [header, payload, signature] = (await sign()).split('.');
    const claims = JSON.parse(Buffer.from(payload as string, 'base64url').toString()) as Record<string, unknown>;
    const forged = Buffer.from(JSON.stringify({ ...claims, roles: ['PartnerAdmin'] })).toString('base64url');
    expect((await refusal(`${header}.${forged}.${signature}`)).kind).toBe('Unauthenticated');
  });

  it('refuses garbage and unsigned tokens', async () => {
    expect((await refusal('not-a-jwt')).message).toMatch(/well-formed/);
    const none = `${Buffer.from('{"alg":"none"}').toString('base64url')}.${Buffer.from(JSON.stringify({ tid: tenant, oid: user })).toString('base64url')}.`;
    expect((await refusal(none)).kind).toBe('Unauthenticated');
  });

  it('refuses tenants outside the allow-list', async () => {
    const strict = createTokenVerifier(
      { ...rules, allowedTenants: ['55555555-5555-4555-8555-555555555555'] },
      localKeys(keys.publicJwk),
    );
    expect((await refusal(await sign(), strict)).message).toMatch(/tenant/);
  });

  it('refuses a token without tid or oid', async () => {
    expect((await refusal(await sign({}, { tenantId: 'not-a-guid' }))).message).toMatch(/tid/);
  });
});
