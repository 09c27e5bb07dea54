import { beforeAll, describe, expect, it } from 'vitest';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let admin: string;

async function customerRows(): Promise<number> {
  let count = 0;
  for await (const _ of app.services.storage.table('customers').listEntities()) count += 1;
  return count;
}

async function createCustomer(overrides: Record<string, unknown> = {}) {
  const response = await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields(overrides) });
  expect(response.status).toBe(201);
  return response;
}

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.tokens.partnerAdmin();
});

describe('POST /api/customers', () => {
  it('creates a customer with an id, ETag and Location', async () => {
    const response = await createCustomer({ billingDay: 'last', currency: 'JPY', country: 'JP' });
    expect(response.body).toMatchObject({
      name: 'Contoso Ltd',
      billingDay: 'last',
      currency: 'JPY',
      country: 'JP',
      id: expect.any(String),
    });
    expect(response.headers.get('location')).toBe(`/api/customers/${response.body.id}`);
    expect(response.headers.get('etag')).toMatch(/^W\/"/);
    const read = await app.call('GET', `/api/customers/${response.body.id}`, { token: admin });
    expect(read.body).toEqual(response.body);
  });

  it.each([
    [{ name: '' }, 'body.name'],
    [{ billingDay: 29 }, 'body.billingDay'],
    [{ billingDay: 0 }, 'body.billingDay'],
    [{ currency: 'XYZ' }, 'body.currency'],
    [{ country: 'us' }, 'body.country'],
    [{ company: { website: 'javascript:alert(1)' } }, 'body.company.website'],
    [
      { company: { address: { line1: 'x', city: 'y', postalCode: '1', country: 'US' } } },
      'body.company.address.postalCode',
    ],
    [{ tenantId: 'contoso.onmicrosoft.com' }, 'body.tenantId'],
    [{ id: '11111111-1111-4111-8111-111111111111' }, 'body'],
  ])('refuses %j naming %s, storing nothing', async (overrides, path) => {
    const before = await customerRows();
    const response = await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields(overrides) });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await customerRows()).toBe(before);
  });

  it('refuses a missing field, malformed JSON, a wrong content type and an oversized body', async () => {
    const { name: _name, ...noName } = buildCustomerFields();
    const missing = await app.call('POST', '/api/customers', { token: admin, body: noName });
    expect(missing.body.errors).toEqual([{ path: 'body.name', message: expect.any(String) }]);

    const malformed = await app.call('POST', '/api/customers', {
      token: admin,
      rawBody: '{"name": ',
      headers: { 'content-type': 'application/json' },
    });
    expect(malformed).toMatchObject({ status: 400, body: { code: 'REQUEST.INVALID', errors: [{ path: 'body' }] } });

    const text = await app.call('POST', '/api/customers', {
      token: admin,
      rawBody: 'name=x',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(text).toMatchObject({ status: 415, body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' } });

    const huge = await app.call('POST', '/api/customers', {
      token: admin,
      body: buildCustomerFields({ name: 'x'.repeat(300 * 1024) }),
    });
    expect(huge).toMatchObject({ status: 413, body: { code: 'REQUEST.TOO_LARGE' } });
  });

  it('is for partner admins only', async () => {
    const customer = (await createCustomer()).body;
    const customerAdmin = await app.tokens.customerUser(customer.id, 'Admin');
    const response = await app.call('POST', '/api/customers', { token: customerAdmin, body: buildCustomerFields() });
    expect(response).toMatchObject({ status: 403, body: { code: 'AUTH.PARTNER_ADMIN_REQUIRED' } });
  });
});

describe('GET /api/customers', () => {
  it('pages with continuation tokens until every customer has been seen once', async () => {
    const local = await createTestApp();
    const token = await local.tokens.partnerAdmin();
    const created = new Set<string>();
    for (let i = 0; i < 5; i++) {
      const response = await local.call('POST', '/api/customers', {
        token,
        body: buildCustomerFields({ name: `Customer ${i}` }),
      });
      created.add(response.body.id);
    }
    const seen: string[] = [];
    let continuation: string | undefined;
    let pages = 0;
    do {
      const query = new URLSearchParams({
        pageSize: '2',
        ...(continuation ? { continuationToken: continuation } : {}),
      });
      const page = await local.call('GET', `/api/customers?${query}`, { token });
      expect(page.status).toBe(200);
      expect(page.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...page.body.items.map((c: { id: string }) => c.id));
      continuation = page.body.continuationToken;
      pages += 1;
    } while (continuation);
    expect(pages).toBe(3);
    expect(new Set(seen)).toEqual(created);
    expect(seen).toHaveLength(5);
  });

  it('refuses a forged continuation token and bad page sizes with 400', async () => {
    for (const query of [
      'continuationToken=garbage',
      `continuationToken=${Buffer.from('{"x":1}').toString('base64')}`,
      'pageSize=0',
      'pageSize=abc',
      'pageSize=1000',
      'unknown=1',
    ]) {
      const response = await app.call('GET', `/api/customers?${query}`, { token: admin });
      expect(response.status, query).toBe(400);
      expect(response.body.errors[0].path, query).toMatch(/^query/);
    }
  });
});

describe('GET /api/customers/{customerId}', () => {
  it('lets the customer’s own users read it, and nobody else', async () => {
    const mine = (await createCustomer({ name: 'Mine' })).body;
    const theirs = (await createCustomer({ name: 'Theirs' })).body;
    const viewer = await app.tokens.customerUser(mine.id, 'View');
    const otherAdmin = await app.tokens.customerUser(theirs.id, 'Admin');

    expect((await app.call('GET', `/api/customers/${mine.id}`, { token: viewer })).body.name).toBe('Mine');
    const refused = await app.call('GET', `/api/customers/${mine.id}`, { token: otherAdmin });
    expect(refused).toMatchObject({ status: 403, body: { code: 'AUTH.NO_ACCESS' } });
    expect(JSON.stringify(refused.body)).not.toContain('Mine');
  });

  it('answers 404 for a customer that does not exist, 400 for an id that is not one', async () => {
    expect(
      (await app.call('GET', '/api/customers/6f9619ff-8b86-4d11-b42d-00c04fc964ff', { token: admin })).status,
    ).toBe(404);
    const bad = await app.call('GET', '/api/customers/not-a-uuid', { token: admin });
    expect(bad).toMatchObject({ status: 400, body: { errors: [{ path: 'params.customerId' }] } });
  });
});

describe('PATCH /api/customers/{customerId}', () => {
  it('changes the fields sent, keeps the rest, and returns a new ETag', async () => {
    const created = await createCustomer();
    const id = created.body.id;
    const response = await app.call('PATCH', `/api/customers/${id}`, {
      token: admin,
      body: { name: 'Contoso Europe', billingDay: 1 },
      headers: { 'if-match': created.headers.get('etag') as string },
    });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({
      name: 'Contoso Europe',
      billingDay: 1,
      company: created.body.company,
      createdAt: created.body.createdAt,
    });
    expect(response.headers.get('etag')).not.toBe(created.headers.get('etag'));
  });

  it('refuses a stale ETag with 412 and a missing one with 428, changing nothing', async () => {
    const created = await createCustomer({ name: 'Before' });
    const id = created.body.id;
    const etag = created.headers.get('etag') as string;
    const first = await app.call('PATCH', `/api/customers/${id}`, {
      token: admin,
      body: { name: 'First' },
      headers: { 'if-match': etag },
    });
    expect(first.status).toBe(200);
    const stale = await app.call('PATCH', `/api/customers/${id}`, {
      token: admin,
      body: { name: 'Second' },
      headers: { 'if-match': etag },
    });
    expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    const none = await app.call('PATCH', `/api/customers/${id}`, { token: admin, body: { name: 'Third' } });
    expect(none).toMatchObject({ status: 428, body: { code: 'REQUEST.IF_MATCH_REQUIRED' } });
    expect((await app.call('GET', `/api/customers/${id}`, { token: admin })).body.name).toBe('First');
  });

  it('lets exactly one of two concurrent changes with the same ETag win', async () => {
    const created = await createCustomer();
    const etag = created.headers.get('etag') as string;
    const results = await Promise.all(
      ['A', 'B'].map((name) =>
        app.call('PATCH', `/api/customers/${created.body.id}`, {
          token: admin,
          body: { name },
          headers: { 'if-match': etag },
        }),
      ),
    );
    expect(results.map((r) => r.status).sort()).toEqual([200, 412]);
  });

  it('refuses an empty patch and unknown fields', async () => {
    const created = await createCustomer();
    const headers = { 'if-match': created.headers.get('etag') as string };
    expect(
      (await app.call('PATCH', `/api/customers/${created.body.id}`, { token: admin, body: {}, headers })).status,
    ).toBe(400);
    const unknown = await app.call('PATCH', `/api/customers/${created.body.id}`, {
      token: admin,
      body: { id: 'x' },
      headers,
    });
    expect(unknown.body.errors[0]).toEqual({ path: 'body', message: 'unknown field(s): id' });
  });
});
