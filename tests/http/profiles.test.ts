import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { activeUser, setupPortalCustomer, type PortalSetup } from '../support/portal-user-builders.ts';

let app: TestApp;
let setup: PortalSetup;
let viewer: string;

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupPortalCustomer(app);
  viewer = (await activeUser(app, setup.customerId, 'View')).token;
});

const companyPath = () => `/api/customers/${setup.customerId}/company`;

function buildAddress(overrides: Record<string, unknown> = {}) {
  return { line1: '10 Downing Street', city: 'London', postalCode: 'SW1A 2AA', country: 'GB', ...overrides };
}

async function patchCompany(body: Record<string, unknown>, token = setup.admin) {
  const current = await app.call('GET', companyPath(), { token });
  return app.call('PATCH', companyPath(), { token, body, headers: { 'if-match': current.headers.get('etag') ?? '' } });
}

describe('GET|PATCH /api/customers/{customerId}/company (F-PROFILE)', () => {
  it('shows the company profile to a viewer, with the customer’s ETag', async () => {
    const response = await app.call('GET', companyPath(), { token: viewer });
    expect(response).toMatchObject({
      status: 200,
      body: { email: 'it@contoso.example', address: { city: 'Seattle', postalCode: '98101' } },
    });
    const customer = await app.call('GET', `/api/customers/${setup.customerId}`, { token: viewer });
    expect(response.headers.get('etag')).toBe(customer.headers.get('etag'));
  });

  it('lets an admin change fields, replacing the address whole and removing a field with null', async () => {
    const first = await patchCompany({
      phone: '+44 20 7946 0000',
      website: 'https://contoso.example',
      address: buildAddress(),
    });
    expect(first).toMatchObject({
      status: 200,
      body: {
        phone: '+44 20 7946 0000',
        website: 'https://contoso.example',
        email: 'it@contoso.example',
        address: buildAddress(),
      },
    });
    const second = await patchCompany({ website: null });
    expect(second.body).not.toHaveProperty('website');
    expect(second.body.phone).toBe('+44 20 7946 0000');
    expect(
      (await app.call('GET', `/api/customers/${setup.customerId}`, { token: setup.partner })).body.company,
    ).toEqual(second.body);
  });

  it('needs If-Match (428), refuses a stale one (412) and a viewer (403)', async () => {
    const { headers } = await app.call('GET', companyPath(), { token: viewer });
    const stale = headers.get('etag') ?? '';
    expect(
      (await app.call('PATCH', companyPath(), { token: setup.admin, body: { phone: '+1 425 555 0101' } })).status,
    ).toBe(428);
    expect((await patchCompany({ phone: '+1 425 555 0102' })).status).toBe(200);
    const refused = await app.call('PATCH', companyPath(), {
      token: setup.admin,
      body: { phone: '+1 425 555 0103' },
      headers: { 'if-match': stale },
    });
    expect(refused).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    expect((await patchCompany({ phone: '+1 425 555 0104' }, viewer)).status).toBe(403);
    expect((await app.call('GET', companyPath(), { token: viewer })).body.phone).toBe('+1 425 555 0102');
  });

  it.each([
    ['US', '98052-6399', 200],
    ['US', '9805', 400],
    ['GB', 'EC1A 1BB', 200],
    ['GB', '12345', 400],
    ['DE', '10115', 200],
    ['DE', '1011', 400],
    ['FR', '75008', 200],
    ['FR', '750 08', 400],
    ['CA', 'H2X 1Y4', 200],
    ['CA', 'H2X 1Y', 400],
    ['NL', '1012 JS', 200],
    ['NL', '!', 400],
  ])('checks a %s postal code %s (%i)', async (country, postalCode, status) => {
    const response = await patchCompany({ address: buildAddress({ country, postalCode }) });
    expect(response.status, JSON.stringify(response.body)).toBe(status);
    if (status === 400)
      expect(response.body.errors.map((e: { path: string }) => e.path)).toEqual(['body.address.postalCode']);
  });

  it('refuses unknown fields and an empty change', async () => {
    expect((await patchCompany({ fax: '123' })).status).toBe(400);
    expect((await patchCompany({})).status).toBe(400);
  });
});

describe('GET|PATCH /api/me/profile (F-PROFILE)', () => {
  const person = () => ({ tenantId: randomUUID(), objectId: randomUUID() });

  it('starts from the token’s name and e-mail, with an ETag', async () => {
    const token = await app.tokens.sign({ ...person(), email: 'Jo.Baker@Tailspin.example' });
    const response = await app.call('GET', '/api/me/profile', { token });
    expect(response).toMatchObject({
      status: 200,
      body: { email: 'jo.baker@tailspin.example', preferredContactMethod: 'email' },
    });
    expect(response.headers.get('etag')).toBeTruthy();
    expect((await app.call('GET', '/api/me/profile', { token })).headers.get('etag')).toBe(
      response.headers.get('etag'),
    );
  });

  it('changes the caller’s own profile with If-Match, and only theirs', async () => {
    const me = await app.tokens.sign({ ...person(), email: 'me@tailspin.example' });
    const other = await app.tokens.sign({ ...person(), email: 'other@tailspin.example' });
    const { headers } = await app.call('GET', '/api/me/profile', { token: me });
    const body = {
      firstName: 'Jo',
      lastName: 'Baker',
      businessPhone: '+1 206 555 0100',
      organization: 'Tailspin Toys',
      title: 'IT lead',
      preferredContactMethod: 'teams',
    };
    const changed = await app.call('PATCH', '/api/me/profile', {
      token: me,
      body,
      headers: { 'if-match': headers.get('etag') ?? '' },
    });
    expect(changed).toMatchObject({ status: 200, body });
    expect((await app.call('GET', '/api/me/profile', { token: me })).body).toMatchObject(body);
    expect((await app.call('GET', '/api/me/profile', { token: other })).body).not.toHaveProperty('organization');

    const stale = await app.call('PATCH', '/api/me/profile', {
      token: me,
      body: { title: 'CIO' },
      headers: { 'if-match': headers.get('etag') ?? '' },
    });
    expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    expect((await app.call('PATCH', '/api/me/profile', { token: me, body: { title: 'CIO' } })).status).toBe(428);
    const cleared = await app.call('PATCH', '/api/me/profile', {
      token: me,
      body: { title: null },
      headers: { 'if-match': changed.headers.get('etag') ?? '' },
    });
    expect(cleared.body).not.toHaveProperty('title');
  });

  it('takes the identity from the token only, and checks every field', async () => {
    const token = await app.tokens.sign({ ...person(), email: 'x@tailspin.example' });
    const { headers } = await app.call('GET', '/api/me/profile', { token });
    const send = (body: Record<string, unknown>) =>
      app.call('PATCH', '/api/me/profile', { token, body, headers: { 'if-match': headers.get('etag') ?? '' } });
    expect((await send({ objectId: randomUUID() })).status).toBe(400);
    const bad = await send({ preferredContactMethod: 'fax', email: 'nope', businessPhone: 'call me' });
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual([
      'body.businessPhone',
      'body.email',
      'body.preferredContactMethod',
    ]);
  });
});
