import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import {
  BUSINESS_BASIC,
  bought,
  changeOf,
  readSubscription,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-CLOCK and F-UPCOMING over HTTP: the app's time moves forward a month, running every renewal, due change and
 * daily billing pass in between once; the upcoming invoice read before is the invoice the run writes.
 */
let app: TestApp;
let partner: string;
let mid: CustomerSetup; // billed on the 16th, with a change due in ten days
let first: CustomerSetup; // billed on the 1st, nothing scheduled
let midSub: string;
let firstSub: string;

const day = (offsetDays: number) => new Date(Date.now() + offsetDays * 86_400_000).toISOString().slice(0, 10);
const invoicesOf = async (setup: CustomerSetup) =>
  (await app.call('GET', `/api/customers/${setup.customerId}/invoices`, { token: setup.viewer })).body.items as {
    cycle: string;
    id: string;
  }[];

beforeAll(async () => {
  app = await createTestApp();
  partner = await app.tokens.partnerAdmin();
  mid = await setupCustomer(app, { billingDay: 16 });
  first = await setupCustomer(app, { name: 'Northwind', billingDay: 1 });
  midSub = (await bought(app, mid, { quantity: 10 })).id;
  firstSub = (await bought(app, first, { productId: BUSINESS_BASIC, term: 'P1M', quantity: 4 })).id;
  const scheduled = await changeOf(app, mid, midSub, {
    kind: 'quantity',
    quantity: 12,
    effective: 'custom',
    effectiveDate: day(10),
  });
  expect(scheduled.status, JSON.stringify(scheduled.body)).toBe(202);
});

describe('the simulator clock', () => {
  it('shows the app’s time to partner admins only', async () => {
    const clock = await app.call('GET', '/api/simulator/clock', { token: partner });
    expect(clock.status).toBe(200);
    expect(Math.abs(Date.parse(clock.body.now) - Date.now())).toBeLessThan(60_000);
    expect((await app.call('GET', '/api/simulator/clock', { token: mid.admin })).status).toBe(403);
    expect((await app.call('GET', '/api/simulator/clock')).status).toBe(401);
  });

  it('advances a month: one invoice and report per customer, the due change applied once, renewals made', async () => {
    const upcoming = await app.call('GET', `/api/customers/${first.customerId}/upcoming-invoice`, {
      token: first.viewer,
    });
    expect(upcoming.status).toBe(200);
    // A first day: whatever cycle ended before the customers existed is billed (empty) now, not in the month below.
    expect((await app.call('POST', '/api/simulator/clock/advance', { token: partner, body: { days: 1 } })).status).toBe(
      200,
    );
    const before = (await app.call('GET', '/api/simulator/clock', { token: partner })).body.now as string;
    // Reports are listed by cycle end; a window two months either side holds those billed before and in the month,
    // whatever the time of day (a cycle ending today may be billed already, at 01:00, or in the month below).
    const window = (days: number) => new Date(Date.parse(before) + days * 86_400_000).toISOString().slice(0, 10);
    const reportsOf = async (setup: CustomerSetup) => {
      const reports = await app.call(
        'GET',
        `/api/customers/${setup.customerId}/billing-reports?from=${window(-62)}&to=${window(62)}`,
        { token: setup.viewer },
      );
      expect(reports.status).toBe(200);
      return (reports.body.items as { id: string }[]).map((r) => r.id);
    };
    const already = {
      mid: { invoices: (await invoicesOf(mid)).map((i) => i.cycle), reports: await reportsOf(mid) },
      first: { invoices: (await invoicesOf(first)).map((i) => i.cycle), reports: await reportsOf(first) },
    };
    const termEnd = (await readSubscription(app, first, firstSub)).renewalDate as string;

    const advanced = await app.call('POST', '/api/simulator/clock/advance', { token: partner, body: { months: 1 } });
    expect(advanced.status, JSON.stringify(advanced.body)).toBe(200);
    expect(advanced.body.runs.dailyBilling).toBeGreaterThanOrEqual(28);
    expect(advanced.body.runs.simulatorRenewals).toBe(advanced.body.runs.dailyBilling);
    expect(advanced.body.runs.sweepFutureChanges).toBeGreaterThanOrEqual(1);
    expect(Date.parse(advanced.body.clock.now)).toBeGreaterThanOrEqual(Date.parse(advanced.body.to));
    expect(advanced.body.from >= before).toBe(true);

    for (const [name, setup] of [
      ['mid', mid],
      ['first', first],
    ] as const) {
      const invoices = (await invoicesOf(setup)).map((i) => i.cycle);
      const billed = invoices.filter((cycle) => !already[name].invoices.includes(cycle));
      expect(billed, name).toHaveLength(1);
      expect(invoices).toHaveLength(already[name].invoices.length + 1);
      // Its report, and no other new one (newest first).
      expect(await reportsOf(setup)).toEqual([...billed, ...already[name].reports]);
    }

    // The change due in ten days: applied, once.
    expect((await readSubscription(app, mid, midSub)).quantity).toBe(12);
    const log = await app.call('GET', `/api/customers/${mid.customerId}/change-log`, { token: mid.viewer });
    const applied = log.body.items.filter(
      (e: { source: string; after?: { quantity?: number } }) => e.source === 'schedule' && e.after?.quantity === 12,
    );
    expect(applied).toHaveLength(1);

    // The monthly subscription renewed on its term end, inside the month.
    const renewed = await readSubscription(app, first, firstSub);
    expect(renewed.renewalDate > termEnd).toBe(true);

    // The upcoming invoice read before is, line for line, what the run wrote (on the first day or in the month,
    // depending on the time of day the test starts).
    const invoice = (await invoicesOf(first)).find((i) => i.id === upcoming.body.invoice.id);
    expect(invoice, `${upcoming.body.invoice.id} written`).toBeDefined();
    const written = await app.call('GET', `/api/customers/${first.customerId}/invoices/${invoice?.id}`, {
      token: first.viewer,
    });
    const strip = (body: {
      invoice: Record<string, unknown>;
      subscriptions: { lines: Record<string, unknown>[] }[];
    }) => ({
      total: body.invoice.total,
      id: body.invoice.id,
      lines: body.subscriptions.flatMap((s) => s.lines.map(({ createdAt: _c, ...line }) => line)),
    });
    expect(strip(written.body)).toEqual(strip(upcoming.body));
    expect(strip(written.body).lines.length).toBeGreaterThan(0);
  }, 300_000);

  it('refuses to run a span twice or to go back', async () => {
    const now = (await app.call('GET', '/api/simulator/clock', { token: partner })).body.now as string;
    const back = await app.call('POST', '/api/simulator/clock/advance', {
      token: partner,
      body: { to: new Date(Date.parse(now) - 86_400_000).toISOString() },
    });
    expect(back).toMatchObject({ status: 409, body: { code: 'CLOCK.NOT_FORWARD' } });
    const count = (await invoicesOf(mid)).length;
    const again = await app.call('POST', '/api/simulator/clock/advance', { token: partner, body: { to: now } });
    expect(again).toMatchObject({ status: 409, body: { code: 'CLOCK.NOT_FORWARD' } });
    expect(await invoicesOf(mid)).toHaveLength(count);
    const bad = await app.call('POST', '/api/simulator/clock/advance', { token: partner, body: {} });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.to');
  });

  it('does not exist with Partner Center', async () => {
    const real = await createTestApp({
      COMMERCE_MODE: 'partnerCenter',
      PARTNER_CENTER_CLIENT_ID: 'x',
      PARTNER_CENTER_CLIENT_SECRET: 'y',
      GRAPH_CLIENT_ID: 'x',
      GRAPH_CLIENT_SECRET: 'y',
    });
    const token = await real.tokens.partnerAdmin();
    expect((await real.call('GET', '/api/simulator/clock', { token })).status).toBe(404);
    expect((await real.call('POST', '/api/simulator/clock/advance', { token, body: { days: 1 } })).status).toBe(404);
    const openapi = await real.call('GET', '/api/openapi.json');
    expect(Object.keys(openapi.body.paths)).not.toContain('/api/simulator/clock');
    const local = await app.call('GET', '/api/openapi.json');
    expect(Object.keys(local.body.paths)).toContain('/api/simulator/clock');
  });
});
