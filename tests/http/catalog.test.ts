import { beforeAll, describe, expect, it } from 'vitest';
import { buildProduct, newProductId } from '../support/catalog-builders.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let admin: string;

async function productRows(): Promise<number> {
  let count = 0;
  for await (const _ of app.services.storage.table('catalog').listEntities()) count += 1;
  return count;
}

async function create(overrides: Parameters<typeof buildProduct>[0] = {}) {
  const response = await app.call('POST', '/api/catalog/products', { token: admin, body: buildProduct(overrides) });
  expect(response.status, JSON.stringify(response.body)).toBe(201);
  return response;
}

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.tokens.partnerAdmin();
});

describe('POST /api/catalog/products', () => {
  it('creates a product with an ETag and Location, readable by id', async () => {
    const product = buildProduct();
    const response = await create(product);
    expect(response.body).toEqual(product);
    expect(response.headers.get('location')).toBe(`/api/catalog/products/${product.id}`);
    const read = await app.call('GET', `/api/catalog/products/${product.id}`, { token: admin });
    expect(read).toMatchObject({ status: 200, body: product });
    expect(read.headers.get('etag')).toBe(response.headers.get('etag'));
  });

  it.each([
    [
      'a term billed at a frequency Microsoft does not offer',
      { terms: [{ term: 'P1M', frequencies: ['annual'] }] },
      'body.terms.0.frequencies.0',
    ],
    [
      'a term listed twice',
      {
        terms: [
          { term: 'P1Y', frequencies: ['monthly'] },
          { term: 'P1Y', frequencies: ['annual'] },
        ],
      },
      'body.terms.1.term',
    ],
    ['no terms', { terms: [] }, 'body.terms'],
    ['an unknown term', { terms: [{ term: 'P2Y', frequencies: ['monthly'] }] }, 'body.terms.0.term'],
    ['a max below the min', { minQuantity: 10, maxQuantity: 5 }, 'body.maxQuantity'],
    ['a product id with a slash', { id: 'CFQ7/TC0LCHC:0002' }, 'body.id'],
    ['a catalog item of another product', { catalogItemId: 'CFQ7TTC0XXXX:0001:CFQ7TTC0K5JV' }, 'body.catalogItemId'],
    ['a formula as name', { name: '=HYPERLINK("https://evil.example","x")' }, 'body.name'],
    ['an unknown base product', { addOnOf: ['CFQ7TTC0ZZZZ:0009'] }, 'body.addOnOf.0'],
  ])('refuses %s naming the field, storing nothing', async (_, overrides, path) => {
    const before = await productRows();
    const response = await app.call('POST', '/api/catalog/products', {
      token: admin,
      body: { ...buildProduct(), ...overrides },
    });
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await productRows()).toBe(before);
  });

  it('refuses an id that exists with 409', async () => {
    const product = buildProduct();
    await create(product);
    const again = await app.call('POST', '/api/catalog/products', { token: admin, body: product });
    expect(again).toMatchObject({ status: 409, body: { code: 'PRODUCT.EXISTS' } });
  });

  it('relates an add-on to existing base products', async () => {
    const base = (await create()).body;
    const addOn = await create({ name: 'Teams Phone Standard', skuPartNumber: 'MCOEV', addOnOf: [base.id] });
    expect(addOn.body.addOnOf).toEqual([base.id]);
  });

  it('is for partner admins only', async () => {
    const customer = (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields() })).body;
    const customerAdmin = await app.tokens.customerUser(customer.id, 'Admin');
    const response = await app.call('POST', '/api/catalog/products', { token: customerAdmin, body: buildProduct() });
    expect(response).toMatchObject({ status: 403, body: { code: 'AUTH.PARTNER_ADMIN_REQUIRED' } });
  });
});

describe('PUT /api/catalog/products/{productId}', () => {
  it('creates without If-Match, refuses to overwrite unseen (428), and replaces with the current ETag', async () => {
    const { id, ...fields } = buildProduct();
    const created = await app.call('PUT', `/api/catalog/products/${id}`, { token: admin, body: fields });
    expect(created).toMatchObject({ status: 201, body: { id, name: fields.name } });

    const unseen = await app.call('PUT', `/api/catalog/products/${id}`, {
      token: admin,
      body: { ...fields, name: 'Overwritten' },
    });
    expect(unseen).toMatchObject({ status: 428, body: { code: 'REQUEST.IF_MATCH_REQUIRED' } });

    const etag = created.headers.get('etag') as string;
    const replaced = await app.call('PUT', `/api/catalog/products/${id}`, {
      token: admin,
      body: { ...fields, name: 'Renamed' },
      headers: { 'if-match': etag },
    });
    expect(replaced).toMatchObject({ status: 200, body: { id, name: 'Renamed' } });
    expect(replaced.headers.get('etag')).not.toBe(etag);

    const stale = await app.call('PUT', `/api/catalog/products/${id}`, {
      token: admin,
      body: { ...fields, name: 'Stale' },
      headers: { 'if-match': etag },
    });
    expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    expect((await app.call('GET', `/api/catalog/products/${id}`, { token: admin })).body.name).toBe('Renamed');
  });

  it('refuses a catalog item id of another product, naming it', async () => {
    const { id: _id, ...fields } = buildProduct();
    const response = await app.call('PUT', `/api/catalog/products/${newProductId()}`, { token: admin, body: fields });
    expect(response).toMatchObject({ status: 400, body: { errors: [{ path: 'body.catalogItemId' }] } });
  });
});

describe('DELETE /api/catalog/products/{productId}', () => {
  it('removes a product; 404 when absent; 409 while an add-on names it as base', async () => {
    const base = (await create()).body;
    const addOn = (await create({ addOnOf: [base.id] })).body;
    expect(await app.call('DELETE', `/api/catalog/products/${base.id}`, { token: admin })).toMatchObject({
      status: 409,
      body: { code: 'PRODUCT.HAS_ADD_ONS' },
    });
    expect((await app.call('DELETE', `/api/catalog/products/${addOn.id}`, { token: admin })).status).toBe(204);
    expect((await app.call('DELETE', `/api/catalog/products/${base.id}`, { token: admin })).status).toBe(204);
    expect((await app.call('GET', `/api/catalog/products/${base.id}`, { token: admin })).status).toBe(404);
    expect((await app.call('DELETE', `/api/catalog/products/${base.id}`, { token: admin })).status).toBe(404);
  });
});

describe('GET /api/catalog/products', () => {
  it('searches by text, category and group, and pages by name', async () => {
    const local = await createTestApp();
    const token = await local.tokens.partnerAdmin();
    const products = [
      buildProduct({
        name: 'Exchange Online (Plan 1)',
        category: 'Email',
        productGroup: 'Exchange Online',
        skuPartNumber: 'EXCHANGESTANDARD',
      }),
      buildProduct({ name: 'Microsoft 365 Business Basic', skuPartNumber: 'O365_BUSINESS_ESSENTIALS' }),
      buildProduct({ name: 'Microsoft 365 Business Premium' }),
      buildProduct({ name: 'Microsoft 365 E3', productGroup: 'Microsoft 365 Enterprise', skuPartNumber: 'SPE_E3' }),
    ];
    for (const body of products)
      expect((await local.call('POST', '/api/catalog/products', { token, body })).status).toBe(201);
    const names = async (query: string) =>
      (await local.call('GET', `/api/catalog/products?${query}`, { token })).body.items.map(
        (p: { name: string }) => p.name,
      );

    expect(await names('search=business')).toEqual(['Microsoft 365 Business Basic', 'Microsoft 365 Business Premium']);
    expect(await names('search=spe_e3')).toEqual(['Microsoft 365 E3']);
    expect(await names('category=email')).toEqual(['Exchange Online (Plan 1)']);
    expect(await names('group=Microsoft%20365%20Enterprise')).toEqual(['Microsoft 365 E3']);
    expect(await names('category=Productivity&search=basic')).toEqual(['Microsoft 365 Business Basic']);

    const first = await local.call('GET', '/api/catalog/products?pageSize=3', { token });
    expect(first.body.items).toHaveLength(3);
    const second = await local.call(
      'GET',
      `/api/catalog/products?pageSize=3&continuationToken=${first.body.continuationToken}`,
      { token },
    );
    expect(second.body).toEqual({ items: [expect.objectContaining({ name: 'Microsoft 365 E3' })] });
  });

  it('refuses a forged continuation token and unknown parameters with 400', async () => {
    for (const query of [
      'continuationToken=garbage',
      `continuationToken=${Buffer.from('{"offset":-1}').toString('base64url')}`,
      'sort=name',
      'pageSize=0',
    ]) {
      const response = await app.call('GET', `/api/catalog/products?${query}`, { token: admin });
      expect(response.status, query).toBe(400);
      expect(response.body.errors[0].path, query).toMatch(/^query/);
    }
  });
});
