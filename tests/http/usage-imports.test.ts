import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, buildCustomerFields, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import { collect, days } from '../support/usage-builders.ts';

let app: TestApp;
let partner: string;
/** The file names customers by the portal's id or by their Microsoft tenant id. */
let customers: { id: string; tenantId: string }[];

const HEADER =
  'customerId,subscriptionId,meterId,meterName,meterCategory,unitOfMeasure,usageDate,quantity,cost,currency';

beforeAll(async () => {
  app = await createTestApp({}, { clock: testClock('2026-03-10T09:00:00Z') });
  partner = await app.tokens.partnerAdmin();
  customers = [];
  for (let n = 0; n < 20; n += 1) {
    const tenantId = randomUUID();
    const created = await app.call('POST', '/api/customers', {
      token: partner,
      body: buildCustomerFields({ name: `Usage ${n}`, tenantId }),
    });
    customers.push({ id: created.body.id, tenantId });
  }
});

const upload = (csv: string, token = partner) =>
  app.call('POST', '/api/usage/imports', { token, rawBody: csv, headers: { 'content-type': 'text/csv' } });
const defaultCost = (i: number) => `${i % 97}.${String(i % 1000).padStart(3, '0')}`;

/**
 * A reconciliation file of 100,000 rows as Microsoft writes them, one per resource: 4 resources of each of 20
 * customers × 2 subscriptions × 5 meters × 125 days, so 25,000 records (a day's resources are summed; each
 * resource's rows come 25,000 lines after the previous one's, and name the customer by its id or its tenant id
 * in turn). `cost(i)` may spoil a row.
 */
function reconciliationFile(cost: (i: number) => string = defaultCost): string {
  const dates = days('2025-11-01', '2026-03-06');
  const lines = [HEADER];
  for (let i = 0; i < 100_000; i += 1) {
    const k = i % 25_000;
    const customer = customers[k % 20]!;
    const subscription = `sub-${Math.floor(k / 20) % 2}`;
    const meter = `meter-${Math.floor(k / 40) % 5}`;
    const date = dates[Math.floor(k / 200)];
    const customerId = Math.floor(i / 25_000) % 2 === 0 ? customer.id : customer.tenantId;
    lines.push(
      `${customerId},${subscription},${meter},Meter ${meter},Compute,1 Hour,${date},${(i % 24) + 0.5},${cost(i)},USD`,
    );
  }
  return lines.join('\r\n') + '\r\n';
}

describe('POST /api/usage/imports (F-USAGE reconciliation CSV)', () => {
  it(
    'refuses a 100,000-row file with a bad row on line 1,234, imports it once fixed, and a re-upload changes nothing',
    { timeout: 60_000 },
    async () => {
      const bad = reconciliationFile((i) => (i === 1232 ? '12.5O' : defaultCost(i)));
      const refused = await upload(bad);
      expect(refused.status).toBe(400);
      expect(refused.headers.get('content-type')).toBe('application/problem+json');
      expect(refused.body).toMatchObject({
        code: 'REQUEST.INVALID',
        errorCount: 1,
        errors: [{ path: 'line 1234.cost', message: expect.stringContaining('decimal') }],
      });
      for (const { id } of customers)
        expect(await collect(app.services.usageStore.list(id, '2025-11-01', '2026-04-01'))).toEqual([]);

      const good = reconciliationFile();
      const imported = await upload(good);
      expect(imported.status, JSON.stringify(imported.body).slice(0, 500)).toBe(200);
      expect(imported.body).toMatchObject({
        alreadyImported: false,
        rows: 100_000,
        records: 25_000,
        source: `import:${imported.body.fileHash}`,
      });
      const perCustomerMonth: { customerId: string; month: string; records: number; cost: string }[] =
        imported.body.customerMonths;
      expect(perCustomerMonth.reduce((n, c) => n + c.records, 0)).toBe(25_000);
      expect(new Set(perCustomerMonth.map((c) => c.customerId))).toEqual(new Set(customers.map((c) => c.id)));
      expect(perCustomerMonth.map((c) => c.month)).toContain('2026-03');
      const [first] = customers;
      const stored = async () => collect(app.services.usageStore.list(first!.id, '2026-01-01', '2026-02-01'));
      const january = await stored();
      expect(january.length).toBe(
        perCustomerMonth.find((c) => c.customerId === first!.id && c.month === '2026-01')?.records,
      );
      expect(january.every((r) => r.source === imported.body.source)).toBe(true);

      const callsBefore = app.services.storage.calls.count;
      const again = await upload(good);
      expect(again.status).toBe(200);
      expect(again.body).toEqual({ ...imported.body, alreadyImported: true });
      expect(app.services.storage.calls.count - callsBefore).toBeLessThan(10);
      expect(await stored()).toEqual(january);
    },
  );

  it('reports at most 100 errors with their total, naming lines and columns', async () => {
    const lines = [HEADER];
    for (let i = 0; i < 150; i += 1)
      lines.push(`${customers[0]!.id},sub-1,meter-1,VM,Compute,1 Hour,2026-02-30,1,1.00,USD`);
    lines.push(`${randomUUID()},sub-1,meter-1,VM,Compute,1 Hour,2026-02-01,1,1.00,USD`);
    lines.push(`${customers[0]!.id},sub-1,meter-1,VM,Compute,1 Hour,2026-02-01,1,1.00,US`);
    lines.push(`${customers[0]!.id},sub-1,meter-1,VM,Compute,1 Hour,2026-02-01,1`);
    const response = await upload(lines.join('\n'));
    expect(response.status).toBe(400);
    expect(response.body.errorCount).toBe(153);
    expect(response.body.errors).toHaveLength(100);
    expect(response.body.errors[0]).toMatchObject({ path: 'line 2.usageDate' });

    const tail = await upload([HEADER, ...lines.slice(151)].join('\n'));
    expect(tail.body.errors.map((e: { path: string }) => e.path)).toEqual([
      'line 2.customerId',
      'line 3.currency',
      'line 4',
    ]);
  });

  it('reads the columns in any order and case, sums rows of the same day, and refuses a missing column', async () => {
    const subscriptionId = randomUUID();
    const csv = [
      'Currency,Cost,Quantity,UsageDate,UnitOfMeasure,MeterName,MeterId,SubscriptionId,CustomerId,ResourceGroup',
      `USD,1.25,10,2026-01-05,1 GB,Data Transfer Out,bw-1,${subscriptionId},${customers[1]!.tenantId},rg-a`,
      `USD,0.75,6,2026-01-05,1 GB,Data Transfer Out,bw-1,${subscriptionId},${customers[1]!.tenantId},rg-b`,
    ].join('\n');
    const response = await upload(csv);
    expect(response.body).toMatchObject({
      rows: 2,
      records: 1,
      customerMonths: [{ customerId: customers[1]!.id, month: '2026-01', currency: 'USD', records: 1, cost: '2' }],
    });
    const [record] = await collect(
      app.services.usageStore.list(customers[1]!.id, '2026-01-05', '2026-01-06', subscriptionId),
    );
    expect(record).toMatchObject({
      quantity: '16',
      cost: '2',
      meterName: 'Data Transfer Out',
      source: `import:${response.body.fileHash}`,
    });
    expect(record?.meterCategory).toBeUndefined();

    const missing = await upload('customerId,subscriptionId,meterId\n');
    expect(missing).toMatchObject({
      status: 400,
      body: { errors: [{ path: 'line 1', message: expect.stringContaining('meterName') }] },
    });
  });

  it('takes text/csv only, from partner admins only', async () => {
    expect((await app.call('POST', '/api/usage/imports', { token: partner, body: { csv: HEADER } })).status).toBe(415);
    const admin = await app.tokens.customerUser(customers[0]!.id, 'Admin');
    expect((await upload(`${HEADER}\n`, admin)).status).toBe(403);
  });
});
