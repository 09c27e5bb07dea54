import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomBytes, createHash } from 'node:crypto';
import { rootCertificates } from 'node:tls';
import { decodeJwt } from 'jose';
import { Agent, getGlobalDispatcher, setGlobalDispatcher, type Dispatcher } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import { startLocalHost, type LocalHost } from '../../dev/host.ts';
import { localEnv } from '../../dev/settings.ts';
import { ensurePortalBuild } from '../../dev/portal-build.ts';
import { registerPortalUser } from '../../src/app/portal-users/portal-users.ts';
import { guidFrom } from '../../src/domain/ids.ts';
import { launchBrowser, screenshot, settled, viewports } from './support/browser.ts';
import { startFakeEntra, type FakeEntra } from './support/fake-entra.ts';

/**
 * The portal's Entra sign-in (AUTH_MODE=entra) in Chromium: @azure/msal-browser's redirect flow against a fake Entra
 * ID at the HTTP wire (tests/e2e/support/fake-entra.ts), and the API verifying the access token on its normal
 * Entra path (AUTH_ISSUER / AUTH_JWKS_URI pointed at the fake, keys fetched from its JWKS).
 */
const AUDIENCE = 'api://6f1c3a52-1f0e-4d2b-9a57-1c0de2e2e000';
let entra: FakeEntra;
let host: LocalHost;
let browser: Browser;
let previousDispatcher: Dispatcher;

beforeAll(async () => {
  if (!ensurePortalBuild(() => undefined)) throw new Error('The portal could not be built');
  const tenantId = guidFrom('tenant:entra-e2e');
  entra = await startFakeEntra({
    user: { tenantId, objectId: guidFrom('user:entra-e2e'), email: 'erin@contoso.example', name: 'Erin Entra' },
    audience: AUDIENCE,
  });
  // The API fetches the fake's JWKS over https: this process trusts its certificate besides the public roots,
  // as NODE_EXTRA_CA_CERTS would.
  previousDispatcher = getGlobalDispatcher();
  setGlobalDispatcher(new Agent({ connect: { ca: [...rootCertificates, entra.certificate] } }));
  host = await startLocalHost({
    env: {
      ...localEnv(),
      AUTH_MODE: 'entra',
      AUTH_AUDIENCE: AUDIENCE,
      AUTH_ISSUER: entra.issuer,
      AUTH_JWKS_URI: entra.jwksUri,
      AUTH_ALLOWED_TENANTS: '*',
      PORTAL_AUTHORITY: `${entra.origin}/organizations`,
      PORTAL_KNOWN_AUTHORITIES: entra.host,
      DATA_DIR: await mkdtemp(path.join(tmpdir(), 'csp-e2e-entra-')),
      STORAGE_NAME_PREFIX: `n${randomBytes(4).toString('hex')}`,
      ROLE_CACHE_SECONDS: '0',
    },
    port: 0,
    azurite: 'memory',
    seed: { months: 0 },
    jobs: [],
    log: () => undefined,
  });
  // The Entra user is an Admin of Contoso, as an accepted invitation would have made them.
  const contoso = (await host.services.customers.list(20)).items.find((c) => c.name === 'Contoso Ltd');
  if (!contoso) throw new Error('the demo seed has no Contoso Ltd');
  await registerPortalUser(host.services, {
    customerId: contoso.id,
    email: 'erin@contoso.example',
    firstName: 'Erin',
    lastName: 'Entra',
    role: 'Admin',
    identity: { tenantId, objectId: guidFrom('user:entra-e2e') },
  });
  browser = await launchBrowser();
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await host?.close();
  await entra?.close();
  if (previousDispatcher) setGlobalDispatcher(previousDispatcher);
});

describe('Entra sign-in through MSAL', () => {
  it('signs in with the redirect flow and loads My Services with a token the API verified', async () => {
    const context = await browser.newContext({ viewport: viewports.desktop, ignoreHTTPSErrors: true });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    const apiCalls: { url: string; status: number; bearer: string | undefined }[] = [];
    page.on('response', (response) => {
      if (!response.url().startsWith(`${host.url}/api/`)) return;
      const bearer = response.request().headers().authorization;
      apiCalls.push({ url: response.url(), status: response.status(), bearer });
    });

    await page.goto(`${host.url}/`);
    await page.getByRole('button', { name: 'Sign in with Microsoft' }).click();
    // MSAL went to the fake's /authorize, which redirected back with a code; MSAL redeemed it at /token.
    await page.getByRole('navigation').waitFor();
    await page.getByRole('link', { name: 'My Services' }).click();
    await page.getByRole('heading', { level: 1, name: 'My Services' }).waitFor();
    await page.getByRole('row').filter({ hasText: 'Microsoft 365' }).first().waitFor();
    await settled(page);
    await screenshot(page, 'entra-services-desktop');

    // What MSAL sent to the fake Entra: the portal's client id, the API's scope, PKCE S256.
    const clientId = AUDIENCE.replace(/^api:\/\//, '');
    expect(entra.authorizeRequests).toHaveLength(1);
    const authorize = entra.authorizeRequests[0]!;
    expect(authorize.get('client_id')).toBe(clientId);
    expect(authorize.get('response_type')).toBe('code');
    expect(authorize.get('redirect_uri')).toBe(host.url);
    expect(authorize.get('scope')?.split(' ')).toEqual(expect.arrayContaining([`${AUDIENCE}/.default`, 'openid']));
    expect(authorize.get('code_challenge_method')).toBe('S256');
    const redeem = entra.tokenRequests.find((r) => r.get('grant_type') === 'authorization_code');
    expect(redeem, 'MSAL redeemed the code').toBeDefined();
    expect(redeem!.get('client_id')).toBe(clientId);
    expect(redeem!.get('scope')?.split(' ')).toContain(`${AUDIENCE}/.default`);
    const verifier = redeem!.get('code_verifier') ?? '';
    expect(verifier.length).toBeGreaterThanOrEqual(43);
    expect(createHash('sha256').update(verifier).digest('base64url')).toBe(authorize.get('code_challenge'));

    // The API verified the fake's token against its JWKS (fetched over https) and answered My Services with it.
    expect(entra.jwksRequests).toBeGreaterThan(0);
    const services = apiCalls.filter((c) => /\/api\/customers\/[^/]+\/subscriptions/.test(c.url));
    expect(services.length).toBeGreaterThan(0);
    expect(services.every((c) => c.status === 200 && c.bearer?.startsWith('Bearer '))).toBe(true);
    expect(apiCalls.filter((c) => c.status === 401)).toEqual([]);
    const claims = decodeJwt(services[0]!.bearer!.slice('Bearer '.length));
    expect(claims).toMatchObject({ iss: `${entra.origin}/${claims.tid}/v2.0`, aud: AUDIENCE, name: 'Erin Entra' });
    await context.close();
  }, 120_000);
});
