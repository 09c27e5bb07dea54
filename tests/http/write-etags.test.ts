import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { bought, changeOf, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

let app: TestApp;
let setup: CustomerSetup;

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app);
});

describe('the ETag a write answers is current', () => {
  it('a scheduled change’s ETag cancels it (not 412), in the body and the ETag header alike', async () => {
    const { id } = await bought(app, setup);
    const scheduled = await changeOf(app, setup, id, { kind: 'quantity', quantity: 3, effective: 'onRenewal' });
    expect(scheduled.status).toBe(202);
    const { futureChange } = scheduled.body;
    expect(scheduled.headers.get('etag')).toBe(futureChange.etag);

    const listed = await app.call('GET', `/api/customers/${setup.customerId}/future-changes`, {
      token: setup.modifier,
    });
    expect(listed.body.items.find((c: { id: string }) => c.id === futureChange.id).etag).toBe(futureChange.etag);

    const cancelled = await app.call('DELETE', `/api/customers/${setup.customerId}/future-changes/${futureChange.id}`, {
      token: setup.modifier,
      headers: { 'if-match': futureChange.etag },
    });
    expect(cancelled.status).toBe(204);
  });
});

describe('the change-log export reads as text', () => {
  it('says `quantity 10 → 15` instead of raw JSON', async () => {
    const { id } = await bought(app, setup);
    const before = (
      await app.call('GET', `/api/customers/${setup.customerId}/subscriptions/${id}`, { token: setup.modifier })
    ).body;
    const target = before.quantity + 5;
    expect(
      (await changeOf(app, setup, id, { kind: 'quantity', quantity: target, effective: 'immediately' })).status,
    ).toBe(200);
    const csv = await app.call('GET', `/api/customers/${setup.customerId}/change-log/export?subscriptionId=${id}`, {
      token: setup.modifier,
    });
    const text = String(csv.body);
    expect(text.split('\r\n')[0]).toContain('change,before,after');
    expect(text).toContain(`quantity ${before.quantity} → ${target}`);
    expect(text).not.toContain('{"');
  });
});
