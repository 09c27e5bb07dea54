import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  BUSINESS_BASIC,
  BUSINESS_PREMIUM,
  TEAMS_PHONE,
  buy,
  bought,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

let app: TestApp;
let setup: CustomerSetup;

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app);
});

const microsoftCount = async (tenantId = setup.tenantId) =>
  (await app.services.commerce.listSubscriptions(tenantId)).length;

describe('POST /api/customers/{customerId}/subscriptions (F-BUY)', () => {
  it('orders from Microsoft at the customer’s price and shows it in My Services', async () => {
    const response = await buy(app, setup, { quantity: 3 });
    expect(response.status).toBe(201);
    expect(response.body.charge).toEqual({
      currency: 'USD',
      unitPrice: { amount: '22.00', currency: 'USD' },
      priceSource: 'global',
      firstPeriodCharge: { amount: '66.00', currency: 'USD' },
      monthlyCost: { amount: '66.00', currency: 'USD' },
    });
    const services = await app.call('GET', `/api/customers/${setup.customerId}/subscriptions`, { token: setup.viewer });
    const ids = services.body.contracts.flatMap((c: { subscriptions: { id: string }[] }) =>
      c.subscriptions.map((s) => s.id),
    );
    expect(ids).toContain(response.body.subscriptions[0].id);
  });

  it('replays the first answer for the same Idempotency-Key, ordering once', async () => {
    const local = await setupCustomer(app);
    const headers = { 'idempotency-key': 'same-key-123' };
    const first = await buy(app, local, { quantity: 2 }, headers);
    const second = await buy(app, local, { quantity: 2 }, headers);
    expect(second.status).toBe(201);
    expect(second.body).toEqual(first.body);
    expect(await microsoftCount(local.tenantId)).toBe(1);
  });

  it('refuses the same key with another body (422), ordering nothing more', async () => {
    const local = await setupCustomer(app);
    const headers = { 'idempotency-key': 'reused-key-456' };
    expect((await buy(app, local, { quantity: 2 }, headers)).status).toBe(201);
    const reused = await buy(app, local, { quantity: 5 }, headers);
    expect(reused).toMatchObject({
      status: 422,
      body: { code: 'IDEMPOTENCY.KEY_REUSED', errors: [{ path: 'headers.Idempotency-Key' }] },
    });
    expect(await microsoftCount(local.tenantId)).toBe(1);
  });

  it('places one order when the same key is sent twice at once', async () => {
    const local = await setupCustomer(app);
    const headers = { 'idempotency-key': 'concurrent-789' };
    const results = await Promise.all([buy(app, local, {}, headers), buy(app, local, {}, headers)]);
    expect(results.map((r) => r.status).sort()).toEqual(expect.arrayContaining([201]));
    for (const r of results) expect([201, 409]).toContain(r.status);
    expect(await microsoftCount(local.tenantId)).toBe(1);
  });

  it.each([
    [{}, { 'idempotency-key': '' }, 'headers.Idempotency-Key'],
    [{ productId: 'NOPE0000:0001' }, {}, 'body.productId'],
    [{ term: 'P3Y', billingFrequency: 'triennial' }, {}, 'body.billingFrequency'],
    [{ quantity: 301 }, {}, 'body.quantity'],
    [{ startDate: '2020-01-01' }, {}, 'body.startDate'],
    [{ startDate: '2026-02-30' }, {}, 'body.startDate'],
    [{ parentSubscriptionId: 'x' }, {}, 'body.parentSubscriptionId'],
  ])('refuses %j naming %s, ordering nothing', async (body, headers, path) => {
    const before = await microsoftCount();
    const response = await buy(app, setup, body, headers);
    expect(response.status).toBe(400);
    expect(response.body.errors.map((e: { path: string }) => e.path)).toContain(path);
    expect(await microsoftCount()).toBe(before);
  });

  it('nests an add-on under its base, and refuses one without a suitable base', async () => {
    const local = await setupCustomer(app);
    const base = await bought(app, local, { quantity: 5 });
    expect((await buy(app, local, { productId: TEAMS_PHONE, quantity: 2 })).body.errors[0].path).toBe(
      'body.parentSubscriptionId',
    );
    const basic = await bought(app, local, { productId: BUSINESS_BASIC, quantity: 1 });
    expect(
      (await buy(app, local, { productId: TEAMS_PHONE, quantity: 2, parentSubscriptionId: basic.id })).status,
    ).toBe(400);
    const addOn = await buy(app, local, { productId: TEAMS_PHONE, quantity: 2, parentSubscriptionId: base.id });
    expect(addOn.status).toBe(201);

    const services = await app.call('GET', `/api/customers/${local.customerId}/subscriptions`, { token: local.viewer });
    const premium = services.body.contracts
      .flatMap((c: { subscriptions: { id: string; addOns: { id: string; name: string }[] }[] }) => c.subscriptions)
      .find((s: { id: string }) => s.id === base.id);
    expect(premium.addOns.map((a: { name: string }) => a.name)).toEqual(['Microsoft Teams Phone Standard']);
  });

  it('buys an add-on through its base subscription’s change route, on the base’s term, once per version', async () => {
    const local = await setupCustomer(app);
    const base = await bought(app, local, { quantity: 5, billingFrequency: 'annual' });
    const body = { kind: 'addOn', productId: TEAMS_PHONE, quantity: 2, effective: 'immediately' };
    const url = `/api/customers/${local.customerId}/subscriptions/${base.id}/changes`;
    expect(
      (await app.call('POST', url, { token: local.modifier, body, headers: { 'if-match': base.etag } })).status,
    ).toBe(403);
    const first = await app.call('POST', url, { token: local.admin, body, headers: { 'if-match': base.etag } });
    expect(first.status).toBe(201);
    expect(first.body.subscriptions[0]).toMatchObject({
      parentSubscriptionId: base.id,
      term: 'P1Y',
      billingFrequency: 'annual',
      quantity: 2,
    });
    const again = await app.call('POST', url, { token: local.admin, body, headers: { 'if-match': base.etag } });
    expect(again.body.orderId).toBe(first.body.orderId);
    expect(await microsoftCount(local.tenantId)).toBe(2);
    const stale = await app.call('POST', url, {
      token: local.admin,
      body: { ...body, quantity: 3 },
      headers: { 'if-match': 'W/"stale"' },
    });
    expect(stale.status).toBe(412);
  });

  it('stores a purchase with a future start as a future change, ordering nothing yet', async () => {
    const local = await setupCustomer(app);
    const start = new Date(Date.now() + 10 * 86_400_000).toISOString().slice(0, 10);
    const response = await buy(app, local, { startDate: start });
    expect(response).toMatchObject({
      status: 202,
      body: { futureChange: { kind: 'purchase', effectiveDate: start, status: 'pending' } },
    });
    expect(await microsoftCount(local.tenantId)).toBe(0);
    const future = await app.call('GET', `/api/customers/${local.customerId}/future-changes`, { token: local.viewer });
    expect(future.body.items).toHaveLength(1);
  });

  it('prices from the customer’s own list before the global one', async () => {
    const local = await setupCustomer(app);
    const put = await app.call('PUT', `/api/price-lists/${local.customerId}/prices`, {
      token: local.partner,
      body: {
        prices: [
          {
            productId: BUSINESS_PREMIUM,
            term: 'P1Y',
            frequency: 'monthly',
            currency: 'USD',
            salePrice: '19.99',
            cost: '18.00',
            effectiveFrom: '2025-01-01',
          },
        ],
      },
    });
    expect(put.status).toBe(200);
    const response = await buy(app, local, { quantity: 4 });
    expect(response.body.charge).toMatchObject({
      unitPrice: { amount: '19.99' },
      priceSource: 'customer',
      monthlyCost: { amount: '79.96' },
    });
  });

  it('refuses a product outside the customer’s sale profile', async () => {
    const local = await setupCustomer(app);
    await app.call('PUT', '/api/sale-profiles/basic-only', {
      token: local.partner,
      body: { name: 'Basic only', productIds: [BUSINESS_BASIC] },
    });
    await app.call('PUT', `/api/customers/${local.customerId}/sale-profile`, {
      token: local.partner,
      body: { profileId: 'basic-only' },
    });
    expect((await buy(app, local)).body.code).toBe('PRODUCT.NOT_FOR_SALE');
    expect((await buy(app, local, { productId: BUSINESS_BASIC })).status).toBe(201);
  });

  it('needs the customer’s Microsoft tenant', async () => {
    const partner = await app.tokens.partnerAdmin();
    const created = await app.call('POST', '/api/customers', {
      token: partner,
      body: { name: 'No tenant', billingDay: 1, currency: 'USD', country: 'US' },
    });
    const admin = await app.tokens.customerUser(created.body.id, 'Admin');
    const response = await app.call('POST', `/api/customers/${created.body.id}/subscriptions`, {
      token: admin,
      headers: { 'idempotency-key': 'no-tenant-1' },
      body: { productId: BUSINESS_PREMIUM, term: 'P1Y', billingFrequency: 'monthly', quantity: 1 },
    });
    expect(response).toMatchObject({ status: 409, body: { code: 'CUSTOMER.NO_TENANT' } });
  });
});

describe('billing change confirmation (F-CONFIRM)', () => {
  it('refuses a purchase until confirmed, in the caller’s language, with the cost difference', async () => {
    const local = await setupCustomer(app, { billingChangeConfirmation: true });
    const settings = await app.call('GET', '/api/settings/billing-confirmation', { token: local.partner });
    const saved = await app.call('PUT', '/api/settings/billing-confirmation', {
      token: local.partner,
      body: {
        actions: ['buy', 'raiseQuantity'],
        messages: { en: 'This raises your bill.', de: 'Dies erhöht Ihre Rechnung.' },
      },
      headers: settings.headers.get('etag') ? { 'if-match': settings.headers.get('etag') as string } : {},
    });
    expect(saved.status).toBe(200);

    const refused = await buy(app, local, { quantity: 2 }, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect(refused).toMatchObject({
      status: 409,
      body: {
        code: 'BILLING.CONFIRMATION_REQUIRED',
        detail: 'Dies erhöht Ihre Rechnung.',
        costDifference: { monthly: { amount: '44.00' }, firstPeriod: { amount: '44.00' } },
      },
    });
    expect(await microsoftCount(local.tenantId)).toBe(0);
    expect((await buy(app, local, { quantity: 2, confirmBillingChange: true })).status).toBe(201);
  });

  it('is off for customers that have not switched it on', async () => {
    expect((await buy(app, setup, { quantity: 1 })).status).toBe(201);
  });
});
