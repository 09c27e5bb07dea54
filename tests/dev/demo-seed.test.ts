import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startLocalHost, type LocalHost } from '../../dev/host.ts';
import { DEMO_END, demoPortalUsers } from '../../dev/seed.ts';
import { bundlesView } from '../../src/app/reports/provider-reports.ts';
import { testEnv } from '../support/test-app.ts';

/**
 * The demo replayed through the simulator clock (F-CLOCK): two months here to keep the suite quick (`npm start`
 * replays twelve; DEMO_YEAR=1 replays the year here too, for the year's figures below, some minutes on a busy
 * machine). What the jobs made on their simulated days is there: invoices, older ones paid, reports in Blob,
 * usage, the change log, portal users of every role.
 */
const MONTHS = process.env.DEMO_YEAR === '1' ? 12 : 2;
let host: LocalHost;

beforeAll(async () => {
  host = await startLocalHost({
    env: testEnv(),
    port: 0,
    azurite: 'memory',
    seed: { months: MONTHS },
    jobs: [],
    log: () => {},
  });
}, 1_200_000);

const customerNamed = async (name: string) => {
  const found = (await host.services.customers.list(10)).items.find((c) => c.name === name);
  if (!found) throw new Error(`no ${name}`);
  return found;
};

afterAll(async () => {
  await host?.close();
});

describe('the demo history', () => {
  it('ends at the demo’s fixed end, with a month of invoices per customer, the older ones paid', async () => {
    const { services } = host;
    expect(services.clock.now().toISOString().slice(0, 10)).toBe(DEMO_END.slice(0, 10));
    const customers = (await services.customers.list(10)).items;
    expect(customers).toHaveLength(4);
    for (const customer of customers) {
      const invoices = (await services.billing.invoices(customer.id)).map((i) => i.value);
      expect(invoices.length, customer.name).toBeGreaterThanOrEqual(2);
      expect(invoices.filter((i) => i.status === 'paid').length, customer.name).toBeGreaterThanOrEqual(1);
      expect(
        invoices.some((i) => i.status === 'open'),
        customer.name,
      ).toBe(true);
      const reports = [];
      for await (const report of services.reports.list('')) if (report.name.includes(customer.id)) reports.push(report);
      // Each invoice with lines has its xlsx, csv, xml and PDF; a cycle with no lines writes no files.
      const withLines = invoices.filter((i) => i.lineCount > 0).length;
      expect(withLines, customer.name).toBeGreaterThanOrEqual(1);
      expect(reports.length, customer.name).toBeGreaterThanOrEqual(withLines * 4);
    }
  });

  it('has daily Azure usage, the changes of the script and portal users of every role', async () => {
    const { services } = host;
    const contoso = (await services.customers.list(10)).items.find((c) => c.name === 'Contoso Ltd');
    if (!contoso) throw new Error('no Contoso');
    const days = new Set<string>();
    for await (const record of services.usageStore.list(contoso.id, '2026-09-01', '2026-11-25')) days.add(record.date);
    expect(days.size).toBeGreaterThan(60);

    const log = (await services.customerData.changeLog(contoso.id, {}, 500)).items as {
      action?: string;
      source: string;
    }[];
    const kinds = new Set(log.map((e) => `${e.action}/${e.source}`));
    for (const kind of ['purchase/portal', 'quantity/portal', 'schedule:quantity/portal', 'renewal/sync'])
      expect([...kinds]).toContain(kind);
    expect(log.filter((e) => e.action === 'purchase').length).toBe(4); // three plans and the Teams Phone add-on

    const users = (await services.portalUsers.list(contoso.id, 'active', 50)).items.map((u) => u.value);
    const expected = demoPortalUsers.filter((u) => u.customer === 'Contoso Ltd');
    expect(users.map((u) => [u.email, u.role]).sort()).toEqual(expected.map((u) => [u.email, u.role]).sort());
  });

  it('bills what was bought from every customer’s first invoice on, with usage in every month', async () => {
    const { services } = host;
    for (const customer of (await services.customers.list(10)).items) {
      const invoices = (await services.billing.invoices(customer.id)).map((i) => i.value);
      invoices.sort((a, b) => a.cycle.localeCompare(b.cycle));
      // The story starts on a month's last day: the first cycle billed holds the first purchases.
      expect(invoices[0]?.lineCount, customer.name).toBeGreaterThan(0);
      expect(Number(invoices[0]?.total), customer.name).toBeGreaterThan(0);
      // One invoice per month of the replay (the last cycle may still be open at the demo's end).
      expect(invoices.length, customer.name).toBeGreaterThanOrEqual(MONTHS);
    }
    const contoso = await customerNamed('Contoso Ltd');
    const months = new Set<string>();
    for await (const record of services.usageStore.list(contoso.id, '2025-01-01', DEMO_END.slice(0, 10)))
      months.add(record.date.slice(0, 7));
    // Daily Azure usage from the first day (a month's last) to the demo's end: MONTHS + 2 calendar months.
    expect(months.size).toBe(MONTHS + 2);
  });

  it('counts the licensed users in use in every month since the day after the first purchases', async () => {
    // The Global Administrator and three colleagues of each tenant hold its first product's license; the fourth also
    // holds Contoso's second one. The daily seat snapshots count them, so the provider reports' bundles do, in the
    // month the demo ends and in the month before.
    const end = DEMO_END.slice(0, 7);
    const [year, month] = end.split('-').map(Number) as [number, number];
    const before = new Date(Date.UTC(year, month - 2, 1)).toISOString().slice(0, 7);
    for (const period of [before, end]) {
      const used = Object.fromEntries(
        (await bundlesView(host.services, period)).map((customer) => [customer.customerName, customer.used]),
      );
      expect(used, period).toEqual({
        'Contoso Ltd': 5,
        'Fabrikam GmbH': 4,
        'Northwind Traders': 4,
        'Adatum Corporation': 4,
      });
    }
  });

  it('has change-log entries of every kind the story makes, across the customers', async () => {
    const kinds = new Set<string>();
    for (const customer of (await host.services.customers.list(10)).items) {
      const log = (await host.services.customerData.changeLog(customer.id, {}, 1000)).items as {
        action?: string;
        source: string;
      }[];
      for (const entry of log) kinds.add(`${entry.action}/${entry.source}`);
    }
    const expected = ['purchase/portal', 'quantity/portal', 'schedule:quantity/portal', 'renewal/sync'];
    // The year's later steps: a cancellation, a suspension (then an expiry), auto-renew switched off and on.
    if (MONTHS === 12) expected.push('cancel/portal', 'suspend/portal', 'sync/sync', 'autoRenew/portal');
    for (const kind of expected) expect([...kinds]).toContain(kind);
  });
});

/**
 * F-RECON on the demo's first full month (2026-09 here; 2025-11 in the twelve-month demo, with the same amounts):
 * Adatum's partner staff cancelled Exchange in Partner Center two days after it was bought through the portal, and
 * added three Business Basic seats there; the portal learned of both only at its next sync (the renewal on 09-30).
 * Monthly-term prices are Microsoft's annual-term ones plus 20%: Exchange Plan 1 costs 4.32 (price 4.80), Business
 * Basic costs 6.48 (price 7.20); terms of 30 days.
 */
/** What the reconciliation routes answer, as far as these tests read it. */
interface ReconciliationBody {
  subscriptions: { mismatches: { chargeDate: string }[] }[];
  items: { customerName: string; mismatchCount: number; leakage: string }[];
}

describe('reconciliation of the demo', () => {
  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const res = await fetch(`${host.url}/api${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, ...(body ? { 'content-type': 'application/json' } : {}) },
      ...(body ? { body: JSON.stringify(body) } : {}),
    });
    return { status: res.status, body: (await res.json()) as ReconciliationBody };
  };
  let token: string;
  let customers: Map<string, string>;

  beforeAll(async () => {
    const signIn = await fetch(`${host.url}/api/dev/sign-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ id: 'partner-admin' }),
    });
    token = ((await signIn.json()) as { token: string }).token;
    customers = new Map((await host.services.customers.list(10)).items.map((c) => [c.name, c.id]));
    for (const month of ['2026-09', '2026-10']) {
      expect((await call('POST', `/reconciliation/${month}/imports`, token, {})).status).toBe(200);
      expect((await call('POST', `/reconciliation/${month}`, token)).status).toBe(200);
    }
  });

  it('finds the seat change nobody billed and the refund not passed on, to the cent', async () => {
    const adatum = await call('GET', `/reconciliation/2026-09/customers/${customers.get('Adatum Corporation')}`, token);
    expect(adatum.status).toBe(200);
    const mismatches = adatum.body.subscriptions
      .flatMap((s: { mismatches: { chargeDate: string }[] }) => s.mismatches)
      .sort((a: { chargeDate: string }, b: { chargeDate: string }) => a.chargeDate.localeCompare(b.chargeDate));
    expect(mismatches).toEqual([
      // Exchange ×5 bought 09-08 (term to 10-08), cancelled at Microsoft 09-10: 5 × 4.32 × 28/30 = 20.16 credited
      // to the partner; the customer paid 5 × 4.80 = 24.00 for the term.
      expect.objectContaining({ kind: 'refundNotPassedOn', chargeDate: '2026-09-10', impact: '-20.16' }),
      // +3 Basic seats at Microsoft on 09-14, to the term's end on 09-30: 3 × 6.48 × 16/30 = 10.37, never billed.
      expect.objectContaining({ kind: 'chargedNotBilled', chargeDate: '2026-09-14', impact: '10.37' }),
      // The portal learns of the cancellation at the 09-30 sync and credits only the rest of the term from then:
      // 5 × 4.80 × 8/30 = 6.40, a credit Microsoft has no line for.
      expect.objectContaining({ kind: 'billedNotCharged', chargeDate: '2026-09-30', billedAmount: '-6.40' }),
    ]);
    expect(adatum.body).toMatchObject({ leakage: '10.37', mismatchCount: 3 });
    for (const name of ['Contoso Ltd', 'Fabrikam GmbH', 'Northwind Traders']) {
      const result = await call('GET', `/reconciliation/2026-09/customers/${customers.get(name)}`, token);
      expect(result.body, name).toMatchObject({ mismatchCount: 0, leakage: '0.00' });
    }
  });

  it('reconciles a clean month to zero difference', async () => {
    const month = await call('GET', '/reconciliation/2026-10', token);
    expect(month.status).toBe(200);
    const items = month.body.items as { customerName: string; mismatchCount: number; leakage: string }[];
    expect(items.map((c) => [c.customerName, c.mismatchCount, c.leakage])).toEqual([
      ['Adatum Corporation', 0, '0.00'],
      ['Contoso Ltd', 0, '0.00'],
      ['Fabrikam GmbH', 0, '0.00'],
      ['Northwind Traders', 0, '0.00'],
    ]);
  });
});
