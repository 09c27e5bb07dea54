import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCatalog } from '../../dev/demo-catalog.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';

let app: TestApp;

beforeAll(async () => {
  app = await createTestApp();
  await seedDemoCatalog(app.services);
});

describe('demo catalog', () => {
  it('seeds Microsoft 365 plans, add-ons and an Azure plan once', async () => {
    const products = await app.services.catalogAdmin.products.all();
    expect(products).toHaveLength(11);
    await seedDemoCatalog(app.services);
    expect(await app.services.catalogAdmin.products.all()).toHaveLength(11);
    expect((await app.services.catalog.getProduct('CFQ7TTC0LH1G:0001'))?.addOnOf).toContain('CFQ7TTC0LCHC:0002');
    expect(await app.services.catalog.getProduct('DZH318Z0BPS6:0001')).toMatchObject({
      isNce: false,
      terms: [{ term: 'P1M', frequencies: ['monthly'] }],
    });
  });

  it.each([
    ['USD', { P1Ymonthly: '22.00', P1Yannual: '264.00', P1Mmonthly: '26.40' }],
    ['EUR', { P1Ymonthly: '20.60', P1Yannual: '247.20', P1Mmonthly: '24.72' }],
    ['GBP', { P1Ymonthly: '18.10', P1Yannual: '217.20', P1Mmonthly: '21.72' }],
  ])('prices Business Premium and the Azure plan in %s', async (currency, expected) => {
    const admin = await app.tokens.partnerAdmin();
    const customer = (
      await app.call('POST', '/api/customers', { token: admin, body: buildCustomerFields({ currency }) })
    ).body;
    const catalog = (await app.call('GET', `/api/customers/${customer.id}/catalog?pageSize=50`, { token: admin })).body;
    expect(catalog.items).toHaveLength(11);
    const offers = (id: string) =>
      Object.fromEntries(
        catalog.items
          .find((p: { id: string }) => p.id === id)
          .offers.map((o: { term: string; frequency: string; unitPrice: string }) => [
            `${o.term}${o.frequency}`,
            o.unitPrice,
          ]),
      );
    expect(offers('CFQ7TTC0LCHC:0002')).toEqual(expected);
    expect(offers('DZH318Z0BPS6:0001')).toEqual({ P1Mmonthly: '0.00' });
  });
});
