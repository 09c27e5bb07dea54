import { randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildProduct, newProductId } from '../support/catalog-builders.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let admin: string;
let productIds: string[];

const newProfileId = () => `smb-${randomBytes(4).toString('hex')}`;
const putProfile = (id: string, body: unknown, etag?: string) =>
  app.call('PUT', `/api/sale-profiles/${id}`, {
    token: admin,
    body,
    ...(etag ? { headers: { 'if-match': etag } } : {}),
  });

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.tokens.partnerAdmin();
  productIds = [];
  for (const product of [buildProduct(), buildProduct()]) {
    await app.call('POST', '/api/catalog/products', { token: admin, body: product });
    productIds.push(product.id);
  }
});

describe('PUT /api/sale-profiles/{profileId}', () => {
  it('creates a profile, replaces it with If-Match only, and lists it', async () => {
    const id = newProfileId();
    const created = await putProfile(id, { name: 'Small business', productIds: [productIds[0]] });
    expect(created).toMatchObject({ status: 201, body: { id, name: 'Small business', productIds: [productIds[0]] } });
    expect(created.headers.get('location')).toBe(`/api/sale-profiles/${id}`);

    expect(await putProfile(id, { name: 'Unseen', productIds: [] })).toMatchObject({ status: 428 });
    const replaced = await putProfile(
      id,
      { name: 'Small business', productIds },
      created.headers.get('etag') as string,
    );
    expect(replaced).toMatchObject({ status: 200, body: { productIds } });
    expect(
      await putProfile(id, { name: 'Stale', productIds: [] }, created.headers.get('etag') as string),
    ).toMatchObject({ status: 412 });

    expect((await app.call('GET', `/api/sale-profiles/${id}`, { token: admin })).body).toEqual(replaced.body);
    const list = await app.call('GET', '/api/sale-profiles', { token: admin });
    expect(list.body.items).toContainEqual(replaced.body);
  });

  it('refuses unknown products, repeated products and bad ids, naming the field', async () => {
    const unknown = await putProfile(newProfileId(), { name: 'X', productIds: [productIds[0], newProductId()] });
    expect(unknown).toMatchObject({ status: 400, body: { errors: [{ path: 'body.productIds.1' }] } });
    const twice = await putProfile(newProfileId(), { name: 'X', productIds: [productIds[0], productIds[0]] });
    expect(twice).toMatchObject({ status: 400, body: { errors: [{ path: 'body.productIds' }] } });
    expect(await putProfile('Bad_Id', { name: 'X', productIds: [] })).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'params.profileId' }] },
    });
    expect((await app.call('GET', `/api/sale-profiles/${newProfileId()}`, { token: admin })).status).toBe(404);
  });
});

describe('PUT /api/customers/{customerId}/sale-profile', () => {
  it('assigns a profile to a customer and removes it with null', async () => {
    const customer = (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields() })).body;
    const profileId = newProfileId();
    await putProfile(profileId, { name: 'Limited', productIds: [productIds[0]] });
    const path = `/api/customers/${customer.id}/sale-profile`;

    expect((await app.call('GET', path, { token: admin })).body).toEqual({ customerId: customer.id, profileId: null });
    expect(await app.call('PUT', path, { token: admin, body: { profileId } })).toMatchObject({
      status: 200,
      body: { customerId: customer.id, profileId },
    });
    expect((await app.call('GET', path, { token: admin })).body.profileId).toBe(profileId);
    expect(await app.services.catalog.mayBuy(customer.id, productIds[1] as string)).toBe(false);

    expect((await app.call('PUT', path, { token: admin, body: { profileId: null } })).body.profileId).toBeNull();
    expect(await app.services.catalog.mayBuy(customer.id, productIds[1] as string)).toBe(true);
  });

  it('refuses an unknown profile (400), an unknown customer (404) and a customer’s own Admin (403)', async () => {
    const customer = (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields() })).body;
    const path = `/api/customers/${customer.id}/sale-profile`;
    expect(await app.call('PUT', path, { token: admin, body: { profileId: newProfileId() } })).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'body.profileId' }] },
    });
    expect(
      (
        await app.call('PUT', '/api/customers/6f9619ff-8b86-4d11-b42d-00c04fc964ff/sale-profile', {
          token: admin,
          body: { profileId: null },
        })
      ).status,
    ).toBe(404);
    const customerAdmin = await app.tokens.customerUser(customer.id, 'Admin');
    expect((await app.call('PUT', path, { token: customerAdmin, body: { profileId: null } })).status).toBe(403);
  });
});
