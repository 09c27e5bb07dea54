import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, inject, it } from 'vitest';
import { partnerCenterTenants } from '../../src/adapters/tenants/partner-center.tenants.ts';
import type { PartnerCenterConfig } from '../../src/adapters/commerce/partner-center.commerce.ts';
import type { CustomerTenants } from '../../src/app/ports/customer-tenants.port.ts';
import {
  startFakeTenantsServer,
  tableTenants,
  type FakeTenantsServer,
} from '../support/fake-partner-center-tenants.ts';
import { buildNewTenant, customerTenantsContract } from './customer-tenants.contract.ts';

const GUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

function pcConfig(baseUrl: string, overrides: Partial<PartnerCenterConfig> = {}): PartnerCenterConfig {
  return {
    PARTNER_CENTER_BASE_URL: baseUrl,
    PARTNER_CENTER_CLIENT_ID: 'not-used-with-an-injected-token',
    PARTNER_CENTER_CLIENT_SECRET: 'not-used-with-an-injected-token',
    PARTNER_CENTER_TIMEOUT_MS: 5000,
    PARTNER_CENTER_MAX_RETRIES: 2,
    PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
    ...overrides,
  };
}

customerTenantsContract('simulator on Table Storage', async () => ({
  tenants: await tableTenants(inject('storageConnectionString')),
  close: async () => undefined,
}));

customerTenantsContract('Partner Center adapter over HTTP', async () => {
  const fake = await startFakeTenantsServer(inject('storageConnectionString'));
  return {
    tenants: partnerCenterTenants(pcConfig(fake.url), {
      getToken: async () => fake.token,
      sleep: async () => undefined,
    }),
    close: () => fake.close(),
  };
});

describe('Partner Center tenants adapter at the wire', () => {
  let fake: FakeTenantsServer;
  let sleeps: number[];
  let tenants: CustomerTenants;

  beforeAll(async () => {
    fake = await startFakeTenantsServer(inject('storageConnectionString'));
  });
  afterAll(() => fake?.close());
  beforeEach(() => {
    fake.reset();
    sleeps = [];
    tenants = partnerCenterTenants(pcConfig(fake.url), {
      getToken: async () => fake.token,
      sleep: async (ms) => void sleeps.push(ms),
      random: () => 1,
    });
  });

  it('checks a domain with HEAD /v1/domains/{domain}: 404 available, 200 taken', async () => {
    const { domain } = buildNewTenant();
    expect(await tenants.isDomainAvailable(domain)).toBe(true);
    expect(fake.requests.map((r) => `${r.method} ${r.path}`)).toEqual([`HEAD /v1/domains/${domain}`]);
    expect(fake.requests[0]!.headers).toMatchObject({
      authorization: `Bearer ${fake.token}`,
      accept: 'application/json',
    });
  });

  it('creates the customer with POST /v1/customers: companyProfile.domain and the billing profile with its default address', async () => {
    const tenant = buildNewTenant();
    const requestId = randomUUID();
    const created = await tenants.createTenant(tenant, requestId);
    const [post] = fake.requests;
    expect(post).toMatchObject({
      method: 'POST',
      path: '/v1/customers',
      headers: { 'ms-requestid': requestId, 'content-type': 'application/json' },
    });
    expect(post!.headers['ms-correlationid']).toMatch(GUID);
    expect(post!.body).toEqual({
      companyProfile: { domain: tenant.domain },
      billingProfile: {
        email: 'it@wingtip.example',
        culture: 'en-US',
        language: 'en',
        companyName: 'Wingtip Toys',
        defaultAddress: {
          country: 'US',
          city: 'Redmond',
          state: 'WA',
          addressLine1: '1 Microsoft Way',
          postalCode: '98052',
          firstName: 'Gena',
          lastName: 'Soto',
          phoneNumber: '+1 425 555 0100',
        },
      },
    });
    expect(created.adminUserName).toBe(`admin@${tenant.domain}`);
  });

  it('retries a 429 after Retry-After and a 500 with backoff, keeping MS-RequestId, so one tenant is made', async () => {
    fake.failNext(1, 429, '3');
    const tenant = buildNewTenant();
    const requestId = randomUUID();
    const created = await tenants.createTenant(tenant, requestId);
    expect(sleeps).toEqual([3000]);
    fake.reset();
    fake.failNext(1, 500);
    const again = await tenants.createTenant(tenant, requestId);
    expect(again.tenantId).toBe(created.tenantId);
    expect(sleeps).toEqual([3000, 500]);
    expect(new Set(fake.requests.map((r) => r.headers['ms-requestid']))).toEqual(new Set([requestId]));
  });

  it('ends in COMMERCE.UNAVAILABLE (503) after its retries, and COMMERCE.THROTTLED after repeated 429s', async () => {
    fake.failNext(3, 503);
    await expect(tenants.createTenant(buildNewTenant(), randomUUID())).rejects.toMatchObject({
      kind: 'Unavailable',
      code: 'COMMERCE.UNAVAILABLE',
    });
    fake.failNext(3, 429, '1');
    await expect(tenants.isDomainAvailable(buildNewTenant().domain)).rejects.toMatchObject({
      kind: 'Unavailable',
      code: 'COMMERCE.THROTTLED',
    });
  });

  it('turns a refused creation into TENANT.DOMAIN_TAKEN only when the domain is taken', async () => {
    await expect(
      tenants.createTenant(buildNewTenant({ domain: 'fabrikam.onmicrosoft.com' }), randomUUID()),
    ).rejects.toMatchObject({ code: 'TENANT.DOMAIN_TAKEN' });
    expect(fake.requests.map((r) => r.method)).toEqual(['POST', 'HEAD']);
    await expect(tenants.createTenant(buildNewTenant({ companyName: '' }), randomUUID())).rejects.toMatchObject({
      code: 'COMMERCE.REFUSED',
      extra: { microsoftCode: 'InvalidInput', httpStatus: 400 },
    });
  });

  it('names the settings to check when Partner Center refuses the credentials', async () => {
    const wrong = partnerCenterTenants(pcConfig(fake.url), { getToken: async () => 'not-the-token' });
    await expect(wrong.isDomainAvailable(buildNewTenant().domain)).rejects.toMatchObject({
      code: 'COMMERCE.UNAVAILABLE',
      message: expect.stringContaining('PARTNER_CENTER_CLIENT_SECRET'),
    });
  });
});
