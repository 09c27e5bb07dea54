import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

/** Resellers (VARs): partner admins keep them; customers may name one (it must exist); direct customers have none. */
let app: TestApp;
let partner: string;

beforeAll(async () => {
  app = await createTestApp();
  partner = await app.tokens.partnerAdmin();
});

const addReseller = (body: Record<string, unknown>) => app.call('POST', '/api/resellers', { token: partner, body });

describe('resellers', () => {
  it('creates, reads, lists and changes a reseller with its ETag', async () => {
    const created = await addReseller({ name: 'Northwind VAR', contactEmail: 'sales@northwind.example' });
    expect(created.status).toBe(201);
    expect(created.headers.get('location')).toBe(`/api/resellers/${created.body.id}`);
    await addReseller({ name: 'Adatum Partners', contactEmail: 'hello@adatum.example' });

    const read = await app.call('GET', `/api/resellers/${created.body.id}`, { token: partner });
    expect(read.body).toMatchObject({ name: 'Northwind VAR', contactEmail: 'sales@northwind.example' });
    const etag = read.headers.get('etag') as string;

    const list = await app.call('GET', '/api/resellers', { token: partner });
    expect(list.body.items.map((r: { name: string }) => r.name)).toEqual(['Adatum Partners', 'Northwind VAR']);

    const url = `/api/resellers/${created.body.id}`;
    expect((await app.call('PATCH', url, { token: partner, body: { name: 'Northwind' } })).status).toBe(428);
    const changed = await app.call('PATCH', url, {
      token: partner,
      body: { name: 'Northwind' },
      headers: { 'if-match': etag },
    });
    expect(changed).toMatchObject({
      status: 200,
      body: { name: 'Northwind', contactEmail: 'sales@northwind.example' },
    });
    expect(
      (await app.call('PATCH', url, { token: partner, body: { name: 'Stale' }, headers: { 'if-match': etag } })).status,
    ).toBe(412);
    expect((await app.call('GET', url, { token: partner })).body.name).toBe('Northwind');
  });

  it('refuses bad input and unknown resellers', async () => {
    expect((await addReseller({ name: '', contactEmail: 'x@y.example' })).status).toBe(400);
    expect((await addReseller({ name: 'X', contactEmail: 'not an address' })).status).toBe(400);
    expect((await addReseller({ name: 'X', contactEmail: 'x@y.example', id: randomUUID() })).status).toBe(400);
    expect((await app.call('GET', `/api/resellers/${randomUUID()}`, { token: partner })).status).toBe(404);
    const created = await addReseller({ name: 'Empty patch', contactEmail: 'e@p.example' });
    expect(
      (
        await app.call('PATCH', `/api/resellers/${created.body.id}`, {
          token: partner,
          body: {},
          headers: { 'if-match': created.headers.get('etag') as string },
        })
      ).status,
    ).toBe(400);
  });

  it('is for partner admins only', async () => {
    const customer = (await app.call('POST', '/api/customers', { token: partner, body: buildCustomerFields() })).body;
    const admin = await app.tokens.customerUser(customer.id, 'Admin');
    expect((await app.call('GET', '/api/resellers', { token: admin })).status).toBe(403);
    expect(
      (await app.call('POST', '/api/resellers', { token: admin, body: { name: 'Mine', contactEmail: 'm@m.example' } }))
        .status,
    ).toBe(403);
  });
});

describe('a customer’s reseller', () => {
  it('is stored and read back, must exist, and can be removed (a direct customer)', async () => {
    const reseller = (await addReseller({ name: 'Fourth Coffee VAR', contactEmail: 'var@fourthcoffee.example' })).body;
    const direct = await app.call('POST', '/api/customers', {
      token: partner,
      body: buildCustomerFields({ name: 'Direct Co' }),
    });
    expect(direct.body.resellerId).toBeUndefined();

    const unknown = await app.call('POST', '/api/customers', {
      token: partner,
      body: buildCustomerFields({ resellerId: randomUUID() }),
    });
    expect(unknown.status).toBe(400);
    expect(unknown.body.errors).toEqual([expect.objectContaining({ path: 'body.resellerId' })]);

    const owned = await app.call('POST', '/api/customers', {
      token: partner,
      body: buildCustomerFields({ name: 'Owned Co', resellerId: reseller.id }),
    });
    expect(owned).toMatchObject({ status: 201, body: { resellerId: reseller.id } });
    const read = await app.call('GET', `/api/customers/${owned.body.id}`, { token: partner });
    expect(read.body.resellerId).toBe(reseller.id);

    const url = `/api/customers/${owned.body.id}`;
    const bad = await app.call('PATCH', url, {
      token: partner,
      body: { resellerId: randomUUID() },
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expect(bad.status).toBe(400);
    const removed = await app.call('PATCH', url, {
      token: partner,
      body: { resellerId: null },
      headers: { 'if-match': read.headers.get('etag') as string },
    });
    expect(removed.status).toBe(200);
    expect(removed.body.resellerId).toBeUndefined();
    expect((await app.call('GET', url, { token: partner })).body.resellerId).toBeUndefined();

    const again = await app.call('PATCH', url, {
      token: partner,
      body: { resellerId: reseller.id },
      headers: { 'if-match': removed.headers.get('etag') as string },
    });
    expect(again.body.resellerId).toBe(reseller.id);
    const renamed = await app.call('PATCH', url, {
      token: partner,
      body: { name: 'Owned Co 2' },
      headers: { 'if-match': again.headers.get('etag') as string },
    });
    expect(renamed.body).toMatchObject({ name: 'Owned Co 2', resellerId: reseller.id });
  });
});
