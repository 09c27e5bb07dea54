import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, changeOf, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

/**
 * F-UPCOMING in a change's preview: how the change moves the upcoming invoice's total, computed by the upcoming
 * invoice's own code. Once the change is made, the upcoming invoice shows the preview's `after`.
 */
let app: TestApp;
let customer: CustomerSetup;
let subscription: string;

const preview = (body: Record<string, unknown>) =>
  app.call('POST', `/api/customers/${customer.customerId}/subscriptions/${subscription}/changes/preview`, {
    token: customer.viewer,
    body,
  });
const upcomingTotal = async () => {
  const upcoming = await app.call('GET', `/api/customers/${customer.customerId}/upcoming-invoice`, {
    token: customer.viewer,
  });
  expect(upcoming.status).toBe(200);
  return upcoming.body.invoice.total as string;
};

beforeAll(async () => {
  app = await createTestApp();
  customer = await setupCustomer(app, { billingDay: 16, currency: 'EUR', country: 'DE' });
  subscription = (await bought(app, customer, { quantity: 10 })).id;
});

describe('a change preview with the upcoming invoice', () => {
  it('shows before, after and difference; the upcoming invoice shows `after` once the change is made', async () => {
    const before = await upcomingTotal();
    const previewed = await preview({ kind: 'quantity', quantity: 14, effective: 'immediately' });
    expect(previewed.status, JSON.stringify(previewed.body)).toBe(200);
    const move = previewed.body.upcomingInvoice;
    expect(move.before).toEqual({ amount: before, currency: 'EUR' });
    expect(Number(move.after.amount)).toBeGreaterThan(Number(move.before.amount)); // four seats more, from today
    expect(move.difference.currency).toBe('EUR');
    expect((Number(move.after.amount) * 100 - Number(move.before.amount) * 100).toFixed(0)).toBe(
      (Number(move.difference.amount) * 100).toFixed(0),
    );
    expect(await upcomingTotal()).toBe(before); // a preview changes nothing

    const changed = await changeOf(app, customer, subscription, {
      kind: 'quantity',
      quantity: 14,
      effective: 'immediately',
    });
    expect(changed.status, JSON.stringify(changed.body)).toBe(200);
    expect(await upcomingTotal()).toBe(move.after.amount);
  });

  it('moves nothing for a change that takes effect after the open cycle', async () => {
    const previewed = await preview({ kind: 'quantity', quantity: 20, effective: 'onRenewal' });
    expect(previewed.status).toBe(200);
    const move = previewed.body.upcomingInvoice;
    expect(move.after).toEqual(move.before);
    expect(move.difference.amount).toBe('0.00');
  });
});
