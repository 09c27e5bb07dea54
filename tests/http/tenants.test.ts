import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCustomerFields, createTestApp, PARTNER_TENANT, type TestApp } from '../support/test-app.ts';
import { mailbox } from '../support/portal-user-builders.ts';

let app: TestApp;
let partner: string;

beforeAll(async () => {
  app = await createTestApp();
  partner = await app.tokens.partnerAdmin();
});

const freshPrefix = () => `t${randomBytes(6).toString('hex')}`;
const relationshipUrl = `https://admin.microsoft.com/Adminportal/Home?invType=ResellerRelationship&partnerId=${PARTNER_TENANT}#/BillingAccounts/partner-invitation`;

async function customerWith(overrides: Record<string, unknown> = {}) {
  const response = await app.call('POST', '/api/customers', {
    token: partner,
    body: buildCustomerFields({ name: `Tenantless ${freshPrefix()}`, ...overrides }),
  });
  expect(response.status).toBe(201);
  return response.body as { id: string; name: string };
}

const availability = (domain: string) => app.call('GET', `/api/domains/${domain}/availability`, { token: partner });
const createTenant = (customerId: string, body: Record<string, unknown>) =>
  app.call('POST', `/api/customers/${customerId}/tenant`, {
    token: partner,
    body: { adminFirstName: 'Grace', adminLastName: 'Hopper', ...body },
  });

describe('GET /api/domains/{domain}/availability (F-TENANT)', () => {
  it('finds a new prefix available, as a prefix or a whole initial domain', async () => {
    const prefix = freshPrefix();
    expect(await availability(prefix)).toMatchObject({
      status: 200,
      body: { domain: `${prefix}.onmicrosoft.com`, available: true },
    });
    expect((await availability(`${prefix.toUpperCase()}.onmicrosoft.com`)).body).toEqual({
      domain: `${prefix}.onmicrosoft.com`,
      available: true,
    });
  });

  it('says a taken domain is taken, with the reseller relationship request', async () => {
    expect((await availability('contoso')).body).toEqual({
      domain: 'contoso.onmicrosoft.com',
      available: false,
      relationshipRequestUrl: relationshipUrl,
    });
  });

  it.each(['con-toso', 'contoso.com', 'a_b', 'x'.repeat(64)])('refuses the label %s (400)', async (label) => {
    const response = await availability(label);
    expect(response).toMatchObject({ status: 400, body: { errors: [{ path: 'params.domain' }] } });
  });
});

describe('POST /api/customers/{customerId}/tenant (F-TENANT)', () => {
  it('creates the tenant, records it on the customer and mails the admin’s credentials to the company', async () => {
    const customer = await customerWith({
      company: {
        email: 'it@northwind.example',
        phone: '+1 425 555 0100',
        address: { line1: '1 Main St', city: 'Seattle', region: 'WA', postalCode: '98101', country: 'US' },
      },
    });
    const prefix = freshPrefix();
    const created = await createTenant(customer.id, { domainPrefix: prefix });
    expect(created).toMatchObject({
      status: 201,
      body: {
        domain: `${prefix}.onmicrosoft.com`,
        adminUserName: `admin@${prefix}.onmicrosoft.com`,
        credentialsSentTo: 'it@northwind.example',
      },
    });
    const read = await app.call('GET', `/api/customers/${customer.id}`, { token: partner });
    expect(read.body.tenantId).toBe(created.body.tenantId);
    expect(read.headers.get('etag')).toBe(created.headers.get('etag'));
    expect(JSON.stringify(created.body)).not.toMatch(/password/i);

    const mail = (await mailbox(app)).find((m) => m.kind === 'new-tenant-admin' && m.text.includes(prefix));
    expect(mail).toMatchObject({
      to: 'it@northwind.example',
      subject: expect.stringContaining(`${prefix}.onmicrosoft.com`),
    });
    expect(mail?.text).toMatch(
      new RegExp(`Sign-in name: admin@${prefix}\\.onmicrosoft\\.com\\nTemporary password: \\S{12,}`),
    );
    expect((await availability(prefix)).body.available).toBe(false);

    const again = await createTenant(customer.id, { domainPrefix: freshPrefix() });
    expect(again).toMatchObject({ status: 409, body: { code: 'TENANT.EXISTS' } });
  });

  it('refuses a taken domain with 409, explaining the CSP reseller relationship request instead', async () => {
    const first = await customerWith();
    const prefix = freshPrefix();
    expect((await createTenant(first.id, { domainPrefix: prefix })).status).toBe(201);
    const second = await customerWith();
    const mailsBefore = (await mailbox(app)).length;
    for (const domainPrefix of [prefix, 'contoso']) {
      const refused = await createTenant(second.id, { domainPrefix });
      expect(refused).toMatchObject({
        status: 409,
        body: { code: 'TENANT.DOMAIN_TAKEN', relationshipRequestUrl: relationshipUrl },
      });
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.body.detail).toMatch(/reseller relationship request/);
    }
    expect((await app.call('GET', `/api/customers/${second.id}`, { token: partner })).body).not.toHaveProperty(
      'tenantId',
    );
    expect((await mailbox(app)).length).toBe(mailsBefore);
  });

  it('needs the company address (409 naming company.address), creating nothing', async () => {
    const customer = await customerWith({ company: { email: 'it@adatum.example' } });
    const prefix = freshPrefix();
    const refused = await createTenant(customer.id, { domainPrefix: prefix });
    expect(refused).toMatchObject({
      status: 409,
      body: { code: 'TENANT.COMPANY_PROFILE_INCOMPLETE', errors: [{ path: 'company.address' }] },
    });
    expect(refused.body.detail).toContain('company.address');
    expect((await availability(prefix)).body.available).toBe(true);

    const noMail = await customerWith({ company: {} });
    const both = await createTenant(noMail.id, { domainPrefix: prefix });
    expect(both.body.errors.map((e: { path: string }) => e.path)).toEqual(['company.address', 'company.email']);
  });

  it('checks the body', async () => {
    const customer = await customerWith();
    const response = await createTenant(customer.id, { domainPrefix: 'no-hyphens', adminFirstName: '' });
    expect(response.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.adminFirstName',
      'body.domainPrefix',
    ]);
  });
});
