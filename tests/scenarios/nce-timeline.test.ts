import { beforeAll, describe, expect, it } from 'vitest';
import { seedDemoCatalog } from '../../dev/demo-catalog.ts';
import { buildCustomerFields, createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';

/**
 * F-NCE timeline, one story with a fixed clock (UTC): buy 10 seats, add 5 on day 3, remove 3 on day 5 (inside
 * the window), fail to remove 4 on day 9 (only 2 still in their window), schedule the decrease for renewal,
 * and let Microsoft's renewal apply it. Amounts are worked out by hand in the comments.
 */
const BUSINESS_PREMIUM = 'CFQ7TTC0LCHC:0002';
const tenantId = '3c6a1f0e-5b1d-4e0a-9c4e-7d2f00000001';
const clock = testClock('2026-03-01T09:00:00Z');

let app: TestApp;
let customerId: string;
let admin: string;
let modifier: string;
let subscriptionId: string;

async function myServices() {
  const response = await app.call('GET', `/api/customers/${customerId}/subscriptions`, { token: modifier });
  expect(response.status).toBe(200);
  return response.body.contracts.flatMap((c: { subscriptions: unknown[] }) => c.subscriptions)[0];
}

async function change(body: Record<string, unknown>) {
  const current = await myServices();
  return app.call('POST', `/api/customers/${customerId}/subscriptions/${subscriptionId}/changes`, {
    token: modifier,
    body,
    headers: { 'if-match': current.etag },
  });
}

async function microsoft() {
  return app.services.commerce.getSubscription(tenantId, subscriptionId);
}

beforeAll(async () => {
  app = await createTestApp({}, { clock });
  await seedDemoCatalog(app.services);
  const partner = await app.tokens.partnerAdmin();
  customerId = (await app.call('POST', '/api/customers', { token: partner, body: buildCustomerFields({ tenantId }) }))
    .body.id;
  admin = await app.tokens.customerUser(customerId, 'Admin');
  modifier = await app.tokens.customerUser(customerId, 'Modify');
});

describe('NCE timeline: buy 10, +5 on day 3, -3 on day 5, -4 refused on day 9, -4 at renewal', () => {
  it('2026-03-01 09:00 — buys 10 seats of Business Premium, 1-year term billed monthly at 22.00', async () => {
    const response = await app.call('POST', `/api/customers/${customerId}/subscriptions`, {
      token: admin,
      headers: { 'idempotency-key': 'timeline-buy-0001' },
      body: { productId: BUSINESS_PREMIUM, term: 'P1Y', billingFrequency: 'monthly', quantity: 10 },
    });
    expect(response.status, JSON.stringify(response.body)).toBe(201);
    expect(response.body.charge).toMatchObject({
      unitPrice: { amount: '22.00', currency: 'USD' },
      firstPeriodCharge: { amount: '220.00' },
      monthlyCost: { amount: '220.00' },
    });
    subscriptionId = response.body.subscriptions[0].id;

    const view = await myServices();
    expect(view).toMatchObject({
      quantity: 10,
      renewalDate: '2027-03-01',
      termStartDate: '2026-03-01',
      status: 'active',
      refundableQuantity: 10,
      billingContract: 'P1Y/monthly',
    });
    expect(await microsoft()).toMatchObject({ quantity: 10, termEndDate: '2027-03-01' });
  });

  it('2026-03-04 — adds 5 seats: 5 × 22.00 × 28/31 days = 99.35 charged', async () => {
    clock.set('2026-03-04T09:00:00Z');
    const preview = await app.call(
      'POST',
      `/api/customers/${customerId}/subscriptions/${subscriptionId}/changes/preview`,
      {
        token: modifier,
        body: { kind: 'quantity', quantity: 15, effective: 'immediately' },
      },
    );
    expect(preview.body).toMatchObject({
      allowed: true,
      preview: {
        proratedAmount: { amount: '99.35', currency: 'USD' },
        newMonthlyCost: { amount: '330.00' },
        monthlyDifference: { amount: '110.00' },
        period: { start: '2026-03-01', end: '2026-04-01' },
      },
    });
    const response = await change({ kind: 'quantity', quantity: 15, effective: 'immediately' });
    expect(response.status).toBe(200);
    expect(response.body.subscription).toMatchObject({ quantity: 15, refundableQuantity: 15 });
    expect((await microsoft()).refundableQuantity.details).toEqual([
      { quantity: 5, allowedUntilDateTime: '2026-03-11T09:00:00.000Z' },
      { quantity: 10, allowedUntilDateTime: '2026-03-08T09:00:00.000Z' },
    ]);
  });

  it('2026-03-06 — removes 3 seats inside the window: 3 × 22.00 × 26/31 = 55.35 credited', async () => {
    clock.set('2026-03-06T09:00:00Z');
    const response = await change({ kind: 'quantity', quantity: 12, effective: 'immediately' });
    expect(response.status).toBe(200);
    expect(response.body.preview.proratedAmount).toEqual({ amount: '-55.35', currency: 'USD' });
    expect(response.body.subscription.quantity).toBe(12);
    // Newest lot first: the 3 come out of the 5 added on day 3.
    expect((await microsoft()).refundableQuantity.details).toEqual([
      { quantity: 2, allowedUntilDateTime: '2026-03-11T09:00:00.000Z' },
      { quantity: 10, allowedUntilDateTime: '2026-03-08T09:00:00.000Z' },
    ]);
  });

  it('2026-03-10 — cannot remove 4 seats: only the 2 added on day 3 are still in their window', async () => {
    clock.set('2026-03-10T09:00:00Z');
    const response = await change({ kind: 'quantity', quantity: 8, effective: 'immediately' });
    expect(response.status).toBe(409);
    expect(response.headers.get('content-type')).toBe('application/problem+json');
    expect(response.body).toMatchObject({
      code: 'SUBSCRIPTION.WINDOW_CLOSED',
      refundableQuantity: 2,
      windowEnd: '2026-03-11T09:00:00.000Z',
      renewalDate: '2027-03-01',
      suggestion: { effective: 'onRenewal' },
      errors: [{ path: 'body.quantity' }],
    });
    expect(response.body.detail).toMatch(/schedule a larger decrease for renewal on 2027-03-01/);
    expect((await microsoft()).quantity).toBe(12);
  });

  it('2026-03-10 — schedules the decrease to 8 for renewal; Microsoft holds it as next-term instructions', async () => {
    const response = await change({ kind: 'quantity', quantity: 8, effective: 'onRenewal' });
    expect(response.status).toBe(202);
    expect(response.body.futureChange).toMatchObject({
      kind: 'quantity',
      change: { quantity: 8 },
      effective: 'onRenewal',
      effectiveDate: '2027-03-01',
      status: 'pending',
    });
    expect(response.body.preview.proratedAmount.amount).toBe('0.00');
    const view = await myServices();
    expect(view).toMatchObject({
      quantity: 12,
      scheduledRenewalQuantity: 8,
      pendingChanges: [{ kind: 'quantity', effectiveDate: '2027-03-01' }],
    });
    expect((await microsoft()).scheduledNextTermInstructions).toMatchObject({ quantity: 8 });
    const future = await app.call('GET', `/api/customers/${customerId}/future-changes`, { token: modifier });
    expect(future.body.items).toHaveLength(1);
  });

  it('2027-03-01 00:30 — Microsoft renews with 8 seats, a new window opens, the change shows applied', async () => {
    clock.set('2027-03-01T00:30:00Z');
    const simulator = app.services.simulator;
    expect(simulator).toBeDefined();
    expect(await simulator?.processRenewals(tenantId)).toEqual({ renewed: [subscriptionId], expired: [] });
    const sync = await app.call('POST', `/api/customers/${customerId}/subscriptions/sync`, { token: admin });
    expect(sync.body).toMatchObject({ renewed: 1, appliedFutureChanges: 1 });

    const view = await myServices();
    expect(view).toMatchObject({
      quantity: 8,
      termStartDate: '2027-03-01',
      renewalDate: '2028-03-01',
      refundableQuantity: 8,
      pendingChanges: [],
    });
    expect(view.scheduledRenewalQuantity).toBeUndefined();
    expect(await microsoft()).toMatchObject({
      quantity: 8,
      refundableQuantity: { details: [{ quantity: 8, allowedUntilDateTime: '2027-03-08T00:00:00.000Z' }] },
    });
    const future = await app.call('GET', `/api/customers/${customerId}/future-changes?status=applied`, {
      token: modifier,
    });
    expect(future.body.items).toHaveLength(1);
  });

  it('logged every transaction once, newest first, and not the refused one', async () => {
    const log = await app.call('GET', `/api/customers/${customerId}/change-log`, { token: modifier });
    expect(log.status).toBe(200);
    expect(log.body.items.map((e: { action: string; source: string }) => `${e.source}:${e.action}`)).toEqual([
      'sync:renewal',
      'portal:schedule:quantity',
      'portal:quantity',
      'portal:quantity',
      'portal:purchase',
    ]);
    expect(log.body.items[2]).toMatchObject({
      before: { quantity: 15 },
      after: { quantity: 12 },
      effective: 'immediately',
    });
    const csv = await app.call('GET', `/api/customers/${customerId}/change-log/export`, { token: modifier });
    expect(csv.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(String(csv.body).trim().split('\r\n')).toHaveLength(6);
  });
});
