import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CustomerTenants, NewTenant } from '../../src/app/ports/customer-tenants.port.ts';

export function buildNewTenant(overrides: Partial<NewTenant> = {}): NewTenant {
  return {
    domain: `c${randomBytes(6).toString('hex')}.onmicrosoft.com`,
    companyName: 'Wingtip Toys',
    email: 'it@wingtip.example',
    culture: 'en-US',
    language: 'en',
    address: {
      country: 'US',
      city: 'Redmond',
      state: 'WA',
      addressLine1: '1 Microsoft Way',
      postalCode: '98052',
      phoneNumber: '+1 425 555 0100',
    },
    admin: { firstName: 'Gena', lastName: 'Soto' },
    ...overrides,
  };
}

/** What every adapter of the CustomerTenants port must do, whichever side of the wire Microsoft is on. */
export function customerTenantsContract(
  name: string,
  make: () => Promise<{ tenants: CustomerTenants; close(): Promise<void> }>,
) {
  describe(`CustomerTenants contract: ${name}`, () => {
    let tenants: CustomerTenants;
    let close: () => Promise<void>;
    beforeAll(async () => {
      ({ tenants, close } = await make());
    });
    afterAll(() => close());

    it('creates a tenant on a free domain, which is then taken', async () => {
      const tenant = buildNewTenant();
      expect(await tenants.isDomainAvailable(tenant.domain)).toBe(true);
      const created = await tenants.createTenant(tenant, randomUUID());
      expect(created).toEqual({
        tenantId: expect.stringMatching(/^[0-9a-f-]{36}$/),
        domain: tenant.domain,
        adminUserName: `admin@${tenant.domain}`,
        adminPassword: expect.any(String),
      });
      expect(created.adminPassword!.length).toBeGreaterThanOrEqual(12);
      expect(await tenants.isDomainAvailable(tenant.domain)).toBe(false);
    });

    it('returns the same tenant for the same request id, and refuses the domain to any other', async () => {
      const tenant = buildNewTenant();
      const requestId = randomUUID();
      const first = await tenants.createTenant(tenant, requestId);
      const replay = await tenants.createTenant(tenant, requestId);
      expect(replay).toEqual({ tenantId: first.tenantId, domain: first.domain, adminUserName: first.adminUserName });
      await expect(
        tenants.createTenant(buildNewTenant({ domain: tenant.domain, companyName: 'Someone else' }), randomUUID()),
      ).rejects.toMatchObject({ code: 'TENANT.DOMAIN_TAKEN' });
    });

    it('knows Microsoft’s sample domains as taken', async () => {
      expect(await tenants.isDomainAvailable('contoso.onmicrosoft.com')).toBe(false);
      await expect(
        tenants.createTenant(buildNewTenant({ domain: 'contoso.onmicrosoft.com' }), randomUUID()),
      ).rejects.toMatchObject({ code: 'TENANT.DOMAIN_TAKEN' });
    });
  });
}
