import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  bought,
  changeOf,
  readSubscription,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

let app: TestApp;
let setup: CustomerSetup;

beforeAll(async () => {
  app = await createTestApp();
  setup = await setupCustomer(app);
});

const changesUrl = (id: string) => `/api/customers/${setup.customerId}/subscriptions/${id}/changes`;

describe('POST …/subscriptions/{subscriptionId}/changes (F-CHANGE)', () => {
  it('needs If-Match (428) and refuses a stale one (412)', async () => {
    const { id, etag } = await bought(app, setup);
    const body = { kind: 'quantity', quantity: 11, effective: 'immediately' };
    expect((await app.call('POST', changesUrl(id), { token: setup.modifier, body })).status).toBe(428);
    expect((await changeOf(app, setup, id, body)).status).toBe(200);
    const stale = await app.call('POST', changesUrl(id), {
      token: setup.modifier,
      body: { ...body, quantity: 12 },
      headers: { 'if-match': etag },
    });
    expect(stale).toMatchObject({ status: 412, body: { code: 'REQUEST.STALE_ETAG' } });
    expect((await readSubscription(app, setup, id)).quantity).toBe(11);
  });

  it('lets exactly one of two concurrent changes reach Microsoft', async () => {
    const { id } = await bought(app, setup);
    const { etag } = await readSubscription(app, setup, id);
    const results = await Promise.all(
      [13, 14].map((quantity) =>
        app.call('POST', changesUrl(id), {
          token: setup.modifier,
          body: { kind: 'quantity', quantity, effective: 'immediately' },
          headers: { 'if-match': etag },
        }),
      ),
    );
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const loser = results.find((r) => r.status !== 200);
    expect([409, 412]).toContain(loser?.status);
    expect(loser?.headers.get('content-type')).toBe('application/problem+json');
    const microsoft = await app.services.commerce.getSubscription(setup.tenantId, id);
    expect(microsoft.quantity).toBe(winners[0]?.body.subscription.quantity);
    expect((await readSubscription(app, setup, id)).quantity).toBe(microsoft.quantity);
  });

  it('lets Modify change quantities only; Admin suspends and reactivates; a suspended subscription keeps its seats', async () => {
    const { id } = await bought(app, setup);
    const refused = await changeOf(app, setup, id, { kind: 'suspend', effective: 'immediately' });
    expect(refused).toMatchObject({ status: 403, body: { code: 'AUTH.ROLE_TOO_LOW' } });
    const suspended = await changeOf(app, setup, id, { kind: 'suspend', effective: 'immediately' }, setup.admin);
    expect(suspended.body.subscription).toMatchObject({ status: 'suspended', quantity: 10 });
    const quantity = await changeOf(app, setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' });
    expect(quantity).toMatchObject({ status: 409, body: { code: 'SUBSCRIPTION.NOT_ACTIVE' } });
    const active = await changeOf(app, setup, id, { kind: 'reactivate', effective: 'immediately' }, setup.admin);
    expect(active.body.subscription.status).toBe('active');
  });

  it('cancels inside the window with a credit for every seat', async () => {
    const { id } = await bought(app, setup, { quantity: 2 });
    const response = await changeOf(app, setup, id, { kind: 'cancel', effective: 'immediately' }, setup.admin);
    expect(response.status).toBe(200);
    expect(response.body.subscription).toMatchObject({ status: 'deleted', quantity: 0 });
    expect(Number(response.body.preview.proratedAmount.amount)).toBeLessThan(0);
  });

  it('answers Microsoft’s 429 with 503 and Retry-After, changing nothing and leaving the subscription free', async () => {
    const { id } = await bought(app, setup);
    app.services.simulator?.failNext({ status: 429, retryAfterSeconds: 7 });
    const throttled = await changeOf(app, setup, id, { kind: 'quantity', quantity: 15, effective: 'immediately' });
    expect(throttled).toMatchObject({ status: 503, body: { code: 'COMMERCE.THROTTLED' } });
    expect(throttled.headers.get('retry-after')).toBe('7');
    expect((await app.services.commerce.getSubscription(setup.tenantId, id)).quantity).toBe(10);
    expect((await changeOf(app, setup, id, { kind: 'quantity', quantity: 15, effective: 'immediately' })).status).toBe(
      200,
    );
  });

  it('answers a Microsoft outage with 503, nothing changed', async () => {
    const { id } = await bought(app, setup);
    app.services.simulator?.failNext({ status: 500 });
    expect(
      (await changeOf(app, setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' })).body.code,
    ).toBe('COMMERCE.UNAVAILABLE');
    expect((await readSubscription(app, setup, id)).quantity).toBe(10);
  });

  it('re-issues Microsoft’s scheduled renewal quantity after an immediate change wipes it', async () => {
    const { id } = await bought(app, setup);
    expect((await changeOf(app, setup, id, { kind: 'quantity', quantity: 6, effective: 'onRenewal' })).status).toBe(
      202,
    );
    expect((await changeOf(app, setup, id, { kind: 'quantity', quantity: 12, effective: 'immediately' })).status).toBe(
      200,
    );
    const microsoft = await app.services.commerce.getSubscription(setup.tenantId, id);
    expect(microsoft).toMatchObject({ quantity: 12, scheduledNextTermInstructions: { quantity: 6 } });
    expect((await readSubscription(app, setup, id)).scheduledRenewalQuantity).toBe(6);
  });

  it('replaces a pending renewal quantity with a newer one', async () => {
    const { id } = await bought(app, setup);
    await changeOf(app, setup, id, { kind: 'quantity', quantity: 8, effective: 'onRenewal' });
    await changeOf(app, setup, id, { kind: 'quantity', quantity: 7, effective: 'onRenewal' });
    const view = await readSubscription(app, setup, id);
    expect(view.pendingChanges.map((c: { change: { quantity: number } }) => c.change.quantity)).toEqual([7]);
    expect(view.scheduledRenewalQuantity).toBe(7);
  });

  it('stores a custom-date increase for later, with its prorated charge previewed', async () => {
    const { id } = await bought(app, setup);
    const renewal = (await readSubscription(app, setup, id)).renewalDate as string;
    const date = new Date(Date.now() + 5 * 86_400_000).toISOString().slice(0, 10);
    const response = await changeOf(app, setup, id, {
      kind: 'quantity',
      quantity: 20,
      effective: 'custom',
      effectiveDate: date,
    });
    expect(response).toMatchObject({
      status: 202,
      body: { futureChange: { effective: 'custom', effectiveDate: date }, preview: { effectiveDate: date } },
    });
    expect(Number(response.body.preview.proratedAmount.amount)).toBeGreaterThan(0);
    const late = await changeOf(app, setup, id, {
      kind: 'quantity',
      quantity: 20,
      effective: 'custom',
      effectiveDate: '2099-01-01',
    });
    expect(late).toMatchObject({ status: 409, body: { code: 'CHANGE.DATE_AFTER_RENEWAL', renewalDate: renewal } });
    const missingDate = await changeOf(app, setup, id, { kind: 'quantity', quantity: 20, effective: 'custom' });
    expect(missingDate.body.errors[0].path).toBe('body.effectiveDate');
  });

  it('never removes seats whose licenses are assigned to users', async () => {
    const local = await setupCustomer(app);
    const { id } = await bought(app, local, { quantity: 5 });
    const directory = app.services.directorySimulator;
    expect(directory).toBeDefined();
    for (const name of ['Ada', 'Bea', 'Cy', 'Dee']) {
      const user = await directory?.seedUser(local.tenantId, {
        displayName: name,
        userPrincipalName: `${name.toLowerCase()}@${local.tenantId.slice(0, 8)}.example`,
        usageLocation: 'US',
      });
      const assigned = await app.call('POST', `/api/customers/${local.customerId}/m365/users/${user?.id}/licenses`, {
        token: local.modifier,
        body: { add: ['SPB'] },
      });
      expect(assigned.status).toBe(200);
    }
    const refused = await changeOf(app, local, id, { kind: 'quantity', quantity: 3, effective: 'immediately' });
    expect(refused).toMatchObject({ status: 409, body: { code: 'QUANTITY.BELOW_ASSIGNED', assignedQuantity: 4 } });
    expect((await changeOf(app, local, id, { kind: 'quantity', quantity: 4, effective: 'immediately' })).status).toBe(
      200,
    );
    await app.call('POST', `/api/customers/${local.customerId}/subscriptions/sync`, { token: local.admin });
    expect(await readSubscription(app, local, id)).toMatchObject({ quantity: 4, assignedQuantity: 4 });
  });

  it('refuses quantities outside the product’s limits, naming them', async () => {
    const { id } = await bought(app, setup);
    expect(
      (await changeOf(app, setup, id, { kind: 'quantity', quantity: 301, effective: 'immediately' })).body,
    ).toMatchObject({ code: 'QUANTITY.ABOVE_MAXIMUM', maxQuantity: 300 });
    expect((await changeOf(app, setup, id, { kind: 'quantity', quantity: 0, effective: 'immediately' })).status).toBe(
      400,
    );
  });
});

describe('future changes', () => {
  it('cancels a scheduled renewal quantity, also at Microsoft', async () => {
    const { id } = await bought(app, setup);
    const scheduled = await changeOf(app, setup, id, { kind: 'quantity', quantity: 5, effective: 'onRenewal' });
    const changeId = scheduled.body.futureChange.id;
    const cancelled = await app.call('DELETE', `/api/customers/${setup.customerId}/future-changes/${changeId}`, {
      token: setup.modifier,
    });
    expect(cancelled.status).toBe(204);
    expect(
      (await app.services.commerce.getSubscription(setup.tenantId, id)).scheduledNextTermInstructions,
    ).toBeUndefined();
    const list = await app.call('GET', `/api/customers/${setup.customerId}/future-changes?status=cancelled`, {
      token: setup.viewer,
    });
    expect(list.body.items.map((c: { id: string }) => c.id)).toContain(changeId);
    const again = await app.call('DELETE', `/api/customers/${setup.customerId}/future-changes/${changeId}`, {
      token: setup.modifier,
    });
    expect(again).toMatchObject({ status: 409, body: { code: 'FUTURE_CHANGE.NOT_PENDING' } });
  });

  it('lets only an Admin cancel a scheduled auto-renew change', async () => {
    const { id } = await bought(app, setup);
    const date = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const scheduled = await changeOf(
      app,
      setup,
      id,
      { kind: 'autoRenew', enabled: false, effective: 'custom', effectiveDate: date },
      setup.admin,
    );
    expect(scheduled.status).toBe(202);
    const url = `/api/customers/${setup.customerId}/future-changes/${scheduled.body.futureChange.id}`;
    expect((await app.call('DELETE', url, { token: setup.modifier })).status).toBe(403);
    expect((await app.call('DELETE', url, { token: setup.admin })).status).toBe(204);
  });
});

describe('change log (F-LOG)', () => {
  it('filters by subscription, pages newest first, and exports CSV with formula cells made inert', async () => {
    const local = await setupCustomer(app);
    const { id } = await bought(app, local);
    const other = await bought(app, local);
    const sneaky = await app.tokens.customerUser(
      local.customerId,
      'Modify',
      '=HYPERLINK("http://evil.example")@x.example',
    );
    for (const quantity of [11, 12, 13])
      expect(
        (await changeOf(app, local, id, { kind: 'quantity', quantity, effective: 'immediately' }, sneaky)).status,
      ).toBe(200);

    const first = await app.call(
      'GET',
      `/api/customers/${local.customerId}/change-log?subscriptionId=${id}&pageSize=2`,
      { token: local.viewer },
    );
    expect(first.body.items.map((e: { after: { quantity: number } }) => e.after.quantity)).toEqual([13, 12]);
    const second = await app.call(
      'GET',
      `/api/customers/${local.customerId}/change-log?subscriptionId=${id}&pageSize=2&continuationToken=${encodeURIComponent(first.body.continuationToken)}`,
      { token: local.viewer },
    );
    expect(second.body.items.map((e: { after: { quantity: number } }) => e.after.quantity)).toEqual([11, 10]);
    expect(second.body.items.every((e: { subscriptionId: string }) => e.subscriptionId === id)).toBe(true);
    const everything = await app.call('GET', `/api/customers/${local.customerId}/change-log`, { token: local.viewer });
    expect(everything.body.items.some((e: { subscriptionId: string }) => e.subscriptionId === other.id)).toBe(true);

    const today = new Date().toISOString().slice(0, 10);
    const none = await app.call('GET', `/api/customers/${local.customerId}/change-log?to=2020-01-01`, {
      token: local.viewer,
    });
    expect(none.body.items).toEqual([]);
    const todays = await app.call('GET', `/api/customers/${local.customerId}/change-log?from=${today}&to=${today}`, {
      token: local.viewer,
    });
    expect(todays.body.items).toHaveLength(5);
    expect(
      (
        await app.call('GET', `/api/customers/${local.customerId}/change-log?from=2026-02-01&to=2026-01-01`, {
          token: local.viewer,
        })
      ).status,
    ).toBe(400);

    const csv = await app.call('GET', `/api/customers/${local.customerId}/change-log/export?subscriptionId=${id}`, {
      token: local.viewer,
    });
    const text = String(csv.body);
    expect(text).toContain(`"'=hyperlink(""http://evil.example"")@x.example"`);
    expect(text).not.toMatch(/(^|,)"?=hyperlink/im);
  });
});
