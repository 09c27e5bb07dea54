import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey } from 'jose';
import { createTestApp, PARTNER_TENANT } from '../support/test-app.ts';

/**
 * Entra mode reads its keys from a JWKS endpoint (here a local one speaking the same format as
 * login.microsoftonline.com/common/discovery/v2.0/keys) and runs the same verifier as local mode.
 */
let jwks: Server;
let jwksUrl: string;
let privateKey: CryptoKey;
let fetches = 0;
const customerTenant = '7a1b2c3d-0000-4000-8000-000000000001';

beforeAll(async () => {
  const pair = await generateKeyPair('RS256');
  privateKey = pair.privateKey;
  const publicJwk = { ...(await exportJWK(pair.publicKey)), kid: 'entra-key-1', use: 'sig', alg: 'RS256' };
  jwks = createServer((req, res) => {
    fetches += 1;
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ keys: [publicJwk] }));
  });
  await new Promise<void>((resolve) => jwks.listen(0, '127.0.0.1', resolve));
  jwksUrl = `http://127.0.0.1:${(jwks.address() as AddressInfo).port}/common/discovery/v2.0/keys`;
});

afterAll(() => {
  jwks.close();
});

const entraToken = (claims: Record<string, unknown>, issuerTenant = claims.tid as string) =>
  new SignJWT({ ver: '2.0', ...claims })
    .setProtectedHeader({ alg: 'RS256', kid: 'entra-key-1' })
    .setIssuer(`https://login.microsoftonline.com/${issuerTenant}/v2.0`)
    .setAudience('api://csp-portal')
    .setIssuedAt()
    .setExpirationTime('1h')
    .sign(privateKey);

describe('entra mode', () => {
  it('verifies tokens against the remote key set, with the tenant-derived issuer', async () => {
    const app = await createTestApp({
      AUTH_MODE: 'entra',
      AUTH_JWKS_URI: jwksUrl,
      AUTH_AUDIENCE: 'api://csp-portal',
      AUTH_ISSUER: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      AUTH_ALLOWED_TENANTS: '*',
    });
    const admin = await entraToken({
      tid: PARTNER_TENANT,
      oid: '0b0b0b0b-0000-4000-8000-000000000001',
      roles: ['PartnerAdmin'],
      preferred_username: 'ops@partner.example',
    });
    expect((await app.call('GET', '/api/me', { token: admin })).body).toMatchObject({
      isPartnerAdmin: true,
      email: 'ops@partner.example',
    });
    expect(fetches).toBeGreaterThan(0);

    const foreignAdmin = await entraToken({
      tid: customerTenant,
      oid: '0b0b0b0b-0000-4000-8000-000000000002',
      roles: ['PartnerAdmin'],
    });
    const me = await app.call('GET', '/api/me', { token: foreignAdmin });
    expect(me.body).toMatchObject({ isPartnerAdmin: false, customers: [] });
    expect((await app.call('GET', '/api/customers', { token: foreignAdmin })).status).toBe(403);

    const spoofedIssuer = await entraToken(
      { tid: customerTenant, oid: '0b0b0b0b-0000-4000-8000-000000000003' },
      PARTNER_TENANT,
    );
    expect((await app.call('GET', '/api/me', { token: spoofedIssuer })).status).toBe(401);
  });

  it('limits sign-in to the allowed tenants when a list is configured', async () => {
    const app = await createTestApp({
      AUTH_MODE: 'entra',
      AUTH_JWKS_URI: jwksUrl,
      AUTH_AUDIENCE: 'api://csp-portal',
      AUTH_ISSUER: 'https://login.microsoftonline.com/{tenantid}/v2.0',
      AUTH_ALLOWED_TENANTS: PARTNER_TENANT,
    });
    const outsider = await entraToken({ tid: customerTenant, oid: '0b0b0b0b-0000-4000-8000-000000000004' });
    expect((await app.call('GET', '/api/me', { token: outsider })).status).toBe(401);
  });
});

describe('easyauth mode', () => {
  it('reads x-ms-client-principal and ignores bearer tokens', async () => {
    const app = await createTestApp({ AUTH_MODE: 'easyauth' });
    const principal = Buffer.from(
      JSON.stringify({
        claims: [
          { typ: 'http://schemas.microsoft.com/identity/claims/tenantid', val: PARTNER_TENANT },
          {
            typ: 'http://schemas.microsoft.com/identity/claims/objectidentifier',
            val: '0b0b0b0b-0000-4000-8000-000000000005',
          },
          { typ: 'roles', val: 'PartnerAdmin' },
        ],
      }),
    ).toString('base64');
    expect(
      (await app.call('GET', '/api/me', { headers: { 'x-ms-client-principal': principal } })).body.isPartnerAdmin,
    ).toBe(true);
    const bearerOnly = await app.call('GET', '/api/me', { token: await app.tokens.partnerAdmin() });
    expect(bearerOnly.status).toBe(401);
  });
});
