import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceEntry } from '../../src/domain/price-list.ts';
import type { Product } from '../../src/domain/product.ts';
import { buildPrice, buildProduct } from '../support/catalog-builders.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let admin: string;
let usd: { id: string; viewer: string };
let eur: { id: string; viewer: string };
const premium = buildProduct({ name: 'Microsoft 365 Business Premium' });
const exchange = buildProduct({
  name: 'Exchange Online (Plan 1)',
  category: 'Email',
  productGroup: 'Exchange Online',
  skuPartNumber: 'EXCHANGESTANDARD',
  terms: [{ term: 'P1Y', frequencies: ['monthly'] }],
});
const e3 = buildProduct({
  name: 'Microsoft 365 E3',
  productGroup: 'Microsoft 365 Enterprise',
  skuPartNumber: 'SPE_E3',
});
const unpriced = buildProduct({ name: 'Microsoft 365 Business Basic' });
const phone = buildProduct({
  name: 'Teams Phone Standard',
  category: 'Communication',
  productGroup: 'Microsoft Teams',
  skuPartNumber: 'MCOEV',
  addOnOf: [premium.id, e3.id],
});

const price = (product: Product, overrides: Partial<PriceEntry>) =>
  buildPrice({ productId: product.id, effectiveFrom: '2020-01-01', ...overrides });

async function customer(currency: string) {
  const id = (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ currency }) })).body
    .id as string;
  return { id, viewer: await app.tokens.customerUser(id, 'View') };
}

async function catalogOf(who: { id: string; viewer: string }, query = '') {
  const response = await app.call('GET', `/api/customers/${who.id}/catalog${query}`, { token: who.viewer });
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  return response.body;
}

const names = (page: { items: { name: string }[] }) => page.items.map((p) => p.name);

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.tokens.partnerAdmin();
  for (const body of [premium, exchange, e3, unpriced, phone])
    expect((await app.call('POST', '/api/catalog/products', { token: admin, body })).status).toBe(201);
  usd = await customer('USD');
  eur = await customer('EUR');
  const global = [
    price(premium, { salePrice: '22.00' }),
    price(premium, { frequency: 'annual', salePrice: '264.00' }),
    price(premium, { term: 'P1M', salePrice: '26.40' }),
    price(premium, { currency: 'EUR', salePrice: '20.60' }),
    price(exchange, { salePrice: '4.00' }),
    price(exchange, { salePrice: '5.00', effectiveFrom: '2999-01-01' }),
    price(e3, { salePrice: '36.00' }),
    price(phone, { salePrice: '10.00' }),
  ];
  expect(
    (await app.call('PUT', '/api/price-lists/global/prices', { token: admin, body: { prices: global } })).status,
  ).toBe(200);
  const own = [
    price(premium, { salePrice: '20.00', effectiveFrom: '2021-01-01' }),
    price(e3, { currency: 'EUR', salePrice: '1.00' }),
  ];
  expect(
    (await app.call('PUT', `/api/price-lists/${usd.id}/prices`, { token: admin, body: { prices: own } })).status,
  ).toBe(200);
});

describe('GET /api/customers/{customerId}/catalog', () => {
  it('lists priced products by name with today’s prices in the customer’s currency and where each came from', async () => {
    const page = await catalogOf(usd);
    expect(names(page)).toEqual([
      'Exchange Online (Plan 1)',
      'Microsoft 365 Business Premium',
      'Microsoft 365 E3',
      'Teams Phone Standard',
    ]);
    const item = page.items.find((p: Product) => p.id === premium.id);
    expect(item).toEqual({
      ...premium,
      offers: [
        {
          term: 'P1M',
          frequency: 'monthly',
          unitPrice: '26.40',
          currency: 'USD',
          priceSource: 'global',
          effectiveFrom: '2020-01-01',
        },
        {
          term: 'P1Y',
          frequency: 'monthly',
          unitPrice: '20.00',
          currency: 'USD',
          priceSource: 'customer',
          effectiveFrom: '2021-01-01',
        },
        {
          term: 'P1Y',
          frequency: 'annual',
          unitPrice: '264.00',
          currency: 'USD',
          priceSource: 'global',
          effectiveFrom: '2020-01-01',
        },
      ],
    });
    expect(page.items.find((p: Product) => p.id === exchange.id).offers).toEqual([
      expect.objectContaining({ unitPrice: '4.00' }),
    ]);
    expect(page.items.find((p: Product) => p.id === phone.id).addOnOf).toEqual([premium.id, e3.id]);
    expect(JSON.stringify(page)).not.toContain('cost');
  });

  it('prices in the customer’s currency only, leaving out products without a price in it', async () => {
    const page = await catalogOf(eur);
    expect(names(page)).toEqual(['Microsoft 365 Business Premium']);
    expect(page.items[0].offers).toEqual([
      expect.objectContaining({
        term: 'P1Y',
        frequency: 'monthly',
        unitPrice: '20.60',
        currency: 'EUR',
        priceSource: 'global',
      }),
    ]);
  });

  it('filters by text, category and group', async () => {
    expect(names(await catalogOf(usd, '?search=spe_e3'))).toEqual(['Microsoft 365 E3']);
    expect(names(await catalogOf(usd, '?search=MICROSOFT%20365'))).toEqual([
      'Microsoft 365 Business Premium',
      'Microsoft 365 E3',
    ]);
    expect(names(await catalogOf(usd, '?category=email'))).toEqual(['Exchange Online (Plan 1)']);
    expect(names(await catalogOf(usd, '?group=Microsoft%20Teams'))).toEqual(['Teams Phone Standard']);
    expect(names(await catalogOf(usd, '?category=Productivity&group=Microsoft%20365%20Enterprise'))).toEqual([
      'Microsoft 365 E3',
    ]);
    expect((await catalogOf(usd, '?search=nothing-like-this')).items).toEqual([]);
  });

  it('pages with an opaque token until every product has been seen once', async () => {
    const seen: string[] = [];
    let token: string | undefined;
    let pages = 0;
    do {
      const page = await catalogOf(usd, `?pageSize=3${token ? `&continuationToken=${token}` : ''}`);
      seen.push(...names(page));
      token = page.continuationToken;
      pages += 1;
    } while (token);
    expect(pages).toBe(2);
    expect(seen).toEqual(names(await catalogOf(usd)));
    const forged = await app.call('GET', `/api/customers/${usd.id}/catalog?continuationToken=abc`, {
      token: usd.viewer,
    });
    expect(forged).toMatchObject({ status: 400, body: { errors: [{ path: 'query.continuationToken' }] } });
  });

  it('shows only the products of the customer’s sale profile', async () => {
    const limited = await customer('USD');
    const profileId = `limited-${limited.id.slice(0, 8)}`;
    expect(
      (
        await app.call('PUT', `/api/sale-profiles/${profileId}`, {
          token: admin,
          body: { name: 'Mail only', productIds: [exchange.id, unpriced.id] },
        })
      ).status,
    ).toBe(201);
    expect(
      (await app.call('PUT', `/api/customers/${limited.id}/sale-profile`, { token: admin, body: { profileId } }))
        .status,
    ).toBe(200);
    expect(names(await catalogOf(limited))).toEqual(['Exchange Online (Plan 1)']);
    expect(names(await catalogOf(usd))).toHaveLength(4);
  });

  it('is for the customer’s own users and the partner; 404 for an unknown customer', async () => {
    const other = await app.tokens.customerUser(eur.id, 'Admin', 'admin@eur.example');
    expect(await app.call('GET', `/api/customers/${usd.id}/catalog`, { token: other })).toMatchObject({
      status: 403,
      body: { code: 'AUTH.NO_ACCESS' },
    });
    expect((await app.call('GET', `/api/customers/${usd.id}/catalog`, { token: admin })).status).toBe(200);
    expect(
      (await app.call('GET', '/api/customers/6f9619ff-8b86-4d11-b42d-00c04fc964ff/catalog', { token: admin })).status,
    ).toBe(404);
  });
});
