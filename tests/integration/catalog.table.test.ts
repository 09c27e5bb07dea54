import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { GLOBAL_PRICE_LIST } from '../../src/domain/price-list.ts';
import type { Services } from '../../src/main.ts';
import { buildPrice, buildProduct } from '../support/catalog-builders.ts';
import { createTestApp } from '../support/test-app.ts';

let services: Services;

beforeAll(async () => {
  services = (await createTestApp()).services;
});

const offer = (productId: string, customerId: string, onDate: string, currency = 'USD') =>
  ({ customerId, productId, term: 'P1Y', frequency: 'monthly', currency, onDate }) as const;

describe('catalog adapter: priceFor (rule 7)', () => {
  it('prices from the customer’s list when it has the offer, else from the global list', async () => {
    const product = buildProduct();
    const [mine, other] = [randomUUID(), randomUUID()];
    await services.catalogAdmin.prices.upsert(GLOBAL_PRICE_LIST, [
      buildPrice({ productId: product.id, salePrice: '22.00' }),
    ]);
    await services.catalogAdmin.prices.upsert(mine, [
      buildPrice({ productId: product.id, salePrice: '20.50', cost: '18.00' }),
    ]);

    expect(await services.catalog.priceFor(offer(product.id, mine, '2026-01-10'))).toEqual({
      unitPrice: '20.50',
      cost: '18.00',
      currency: 'USD',
      source: 'customer',
      priceListId: mine,
      effectiveFrom: '2025-04-01',
    });
    expect(await services.catalog.priceFor(offer(product.id, other, '2026-01-10'))).toMatchObject({
      unitPrice: '22.00',
      source: 'global',
      priceListId: 'global',
    });
  });

  it('takes the entry with the latest effectiveFrom on or before the date', async () => {
    const { id } = buildProduct();
    await services.catalogAdmin.prices.upsert(GLOBAL_PRICE_LIST, [
      buildPrice({ productId: id, salePrice: '20.00', effectiveFrom: '2025-01-01' }),
      buildPrice({ productId: id, salePrice: '22.00', effectiveFrom: '2025-04-01' }),
      buildPrice({ productId: id, salePrice: '24.00', effectiveFrom: '2026-04-01' }),
    ]);
    const on = async (date: string) => (await services.catalog.priceFor(offer(id, randomUUID(), date)))?.unitPrice;
    expect(await on('2024-12-31')).toBeUndefined();
    expect(await on('2025-01-01')).toBe('20.00');
    expect(await on('2025-03-31')).toBe('20.00');
    expect(await on('2025-04-01')).toBe('22.00');
    expect(await on('2026-03-31')).toBe('22.00');
    expect(await on('2026-04-01')).toBe('24.00');
  });

  it('ignores a customer entry not yet in force, and entries in other currencies, terms or frequencies', async () => {
    const { id } = buildProduct();
    const customerId = randomUUID();
    await services.catalogAdmin.prices.upsert(GLOBAL_PRICE_LIST, [buildPrice({ productId: id, salePrice: '22.00' })]);
    await services.catalogAdmin.prices.upsert(customerId, [
      buildPrice({ productId: id, salePrice: '1.00', effectiveFrom: '2030-01-01' }),
      buildPrice({ productId: id, salePrice: '2.00', currency: 'EUR' }),
      buildPrice({ productId: id, salePrice: '3.00', frequency: 'annual' }),
      buildPrice({ productId: id, salePrice: '4.00', term: 'P1M' }),
    ]);
    expect(await services.catalog.priceFor(offer(id, customerId, '2026-01-10'))).toMatchObject({
      unitPrice: '22.00',
      source: 'global',
    });
    expect(await services.catalog.priceFor(offer(id, customerId, '2026-01-10', 'EUR'))).toMatchObject({
      unitPrice: '2.00',
      source: 'customer',
    });
  });

  it('answers undefined when neither list has the offer', async () => {
    const { id } = buildProduct();
    await services.catalogAdmin.prices.upsert(GLOBAL_PRICE_LIST, [buildPrice({ productId: id, currency: 'EUR' })]);
    expect(await services.catalog.priceFor(offer(id, randomUUID(), '2026-01-10'))).toBeUndefined();
  });
});

describe('catalog adapter: products and sale profiles', () => {
  it('reads a product written through the same adapter at once, despite its cache', async () => {
    const product = buildProduct();
    expect(await services.catalog.getProduct(product.id)).toBeUndefined();
    const { etag } = await services.catalogAdmin.products.create(product);
    expect(await services.catalog.getProduct(product.id)).toEqual(product);
    await services.catalogAdmin.products.replace({ ...product, name: 'Renamed' }, etag);
    expect((await services.catalog.getProduct(product.id))?.name).toBe('Renamed');
    await services.catalogAdmin.products.delete(product.id);
    expect(await services.catalog.getProduct(product.id)).toBeUndefined();
  });

  it('lets a customer without a profile buy anything, and one with a profile only its products', async () => {
    const [listed, unlisted] = [buildProduct(), buildProduct()];
    const [free, limited] = [randomUUID(), randomUUID()];
    await services.catalogAdmin.saleProfiles.create({
      id: `smb-${limited.slice(0, 8)}`,
      name: 'SMB',
      productIds: [listed.id],
    });
    await services.catalogAdmin.saleProfiles.assign(limited, `smb-${limited.slice(0, 8)}`);

    expect(await services.catalog.mayBuy(free, unlisted.id)).toBe(true);
    expect(await services.catalog.mayBuy(limited, listed.id)).toBe(true);
    expect(await services.catalog.mayBuy(limited, unlisted.id)).toBe(false);
    await services.catalogAdmin.saleProfiles.assign(limited, null);
    expect(await services.catalog.mayBuy(limited, unlisted.id)).toBe(true);
  });
});
