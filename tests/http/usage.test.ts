import { beforeAll, describe, expect, it } from 'vitest';
import { pullUsage } from '../../src/app/usage/pull-usage.ts';
import { pullUsageJob } from '../../src/jobs/pull-usage.ts';
import { jobs } from '../../src/jobs/jobs.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock, type TestClock } from '../support/clock.ts';
import { bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';
import { buildUsageRecord, collect, days } from '../support/usage-builders.ts';

const AZURE_PLAN = 'DZH318Z0BPS6:0001';
let app: TestApp;
let clock: TestClock;
let setup: CustomerSetup;
let other: CustomerSetup;

beforeAll(async () => {
  clock = testClock('2026-03-10T09:00:00Z');
  app = await createTestApp({}, { clock });
  setup = await setupCustomer(app);
  other = await setupCustomer(app);
});

const usageUrl = (customerId: string, query = '') => `/api/customers/${customerId}/usage${query}`;
const downloadUrl = (customerId: string, query = '') => `/api/customers/${customerId}/usage/download${query}`;

async function setMarkup(markupPercent: string) {
  const current = await app.call('GET', '/api/settings/usage', { token: setup.partner });
  const etag = current.headers.get('etag');
  const saved = await app.call('PUT', '/api/settings/usage', {
    token: setup.partner,
    body: { markupPercent },
    headers: etag ? { 'if-match': etag } : {},
  });
  expect(saved.status, JSON.stringify(saved.body)).toBe(200);
}

describe('usage routes (F-USAGE)', () => {
  const [subA, subB] = ['0f3c2a10-5b7e-4c1d-9a2b-00000000000a', '0f3c2a10-5b7e-4c1d-9a2b-00000000000b'];

  beforeAll(async () => {
    const base = { customerId: setup.customerId, source: 'graph' };
    await app.services.usageStore.save([
      // Before the 3-month window (it starts 2025-12-01 on 2026-03-10), inside the 6-month one.
      buildUsageRecord({ ...base, subscriptionId: subA, date: '2025-11-30', cost: '10' }),
      buildUsageRecord({ ...base, subscriptionId: subA, date: '2025-12-01', cost: '1' }),
      // Three days of a third: rounded per day they make 1.14, per month 1.15 (billing rule 8).
      ...['2026-03-01', '2026-03-02', '2026-03-03'].map((date) =>
        buildUsageRecord({ ...base, subscriptionId: subA, date, quantity: '1', cost: '0.333333' }),
      ),
      buildUsageRecord({
        ...base,
        subscriptionId: subB,
        date: '2026-03-02',
        meterId: 'bw',
        meterName: '=HYPERLINK("http://evil.example")',
        meterCategory: 'Bandwidth',
        unitOfMeasure: '1 GB',
        quantity: '7.5',
        cost: '0.6525',
      }),
    ]);
    await app.services.usageStore.save([
      buildUsageRecord({ customerId: other.customerId, subscriptionId: subA, date: '2026-03-01' }),
    ]);
  });

  it('shows the last 3, 6, 9 or 12 whole months and the current one', async () => {
    const three = await app.call('GET', usageUrl(setup.customerId), { token: setup.viewer });
    expect(three.status).toBe(200);
    expect(three.body).toMatchObject({ customerId: setup.customerId, months: 3, from: '2025-12-01', to: '2026-04-01' });
    const dates = (body: { meters: { daily: { date: string }[] }[] }) =>
      body.meters.flatMap((m) => m.daily.map((d) => d.date)).sort();
    expect(dates(three.body)).toEqual(['2025-12-01', '2026-03-01', '2026-03-02', '2026-03-02', '2026-03-03']);
    const six = await app.call('GET', usageUrl(setup.customerId, '?months=6'), { token: setup.viewer });
    expect(six.body.from).toBe('2025-09-01');
    expect(dates(six.body)).toContain('2025-11-30');
    expect((await app.call('GET', usageUrl(setup.customerId, '?months=4'), { token: setup.viewer })).status).toBe(400);
  });

  it('filters by subscription', async () => {
    const response = await app.call('GET', usageUrl(setup.customerId, `?subscriptionId=${subB}`), {
      token: setup.viewer,
    });
    expect(response.body.subscriptionId).toBe(subB);
    expect(response.body.meters.map((m: { subscriptionId: string }) => m.subscriptionId)).toEqual([subB]);
    expect(
      (await app.call('GET', usageUrl(setup.customerId, '?subscriptionId=no%20such'), { token: setup.viewer })).status,
    ).toBe(400);
  });

  it('applies the partner’s mark-up, per month rounded once, and never shows customers the raw cost', async () => {
    await setMarkup('15');
    const response = await app.call('GET', usageUrl(setup.customerId, `?subscriptionId=${subA}`), {
      token: setup.viewer,
    });
    const [vm] = response.body.meters;
    expect(vm.monthly).toEqual([
      { month: '2025-12', quantity: '24', amount: '1.15' },
      { month: '2026-03', quantity: '3', amount: '1.15' },
    ]);
    expect(vm.daily.slice(1)).toEqual(
      ['2026-03-01', '2026-03-02', '2026-03-03'].map((date) => ({ date, quantity: '1', amount: '0.38' })),
    );
    expect(response.body.totals).toEqual([
      { month: '2025-12', currency: 'USD', amount: '1.15' },
      { month: '2026-03', currency: 'USD', amount: '1.15' },
    ]);
    const text = JSON.stringify(response.body);
    expect(text).not.toContain('"cost"');
    expect(text).not.toContain('markupPercent');
    expect(text).not.toContain('0.333333');

    const partnerView = await app.call('GET', usageUrl(setup.customerId, `?subscriptionId=${subA}`), {
      token: setup.partner,
    });
    expect(partnerView.body.markupPercent).toBe('15');
    expect(partnerView.body.meters[0].monthly[1]).toEqual({
      month: '2026-03',
      quantity: '3',
      amount: '1.15',
      cost: '0.999999',
    });
    expect(partnerView.body.totals[1]).toEqual({ month: '2026-03', currency: 'USD', amount: '1.15', cost: '0.999999' });
  });

  it('downloads the days as CSV, with the mark-up, inert cells, and the raw cost for partners only', async () => {
    await setMarkup('15');
    const response = await app.call('GET', downloadUrl(setup.customerId), { token: setup.viewer });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toBe(
      `attachment; filename="usage-${setup.customerId}-2025-12-01-2026-04-01.csv"`,
    );
    const lines = (response.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe('date,subscriptionId,meterCategory,meterName,meterId,unitOfMeasure,quantity,amount,currency');
    expect(lines).toHaveLength(6);
    expect(lines[2]).toBe(
      `2026-03-01,${subA},Virtual Machines,D2s v5,fd9b8a2c-1e51-4a1b-9e6a-3f0d6c1a0b01,1 Hour,1,0.38,USD`,
    );
    expect(lines.find((l) => l.includes(subB))).toContain(`"'=HYPERLINK(""http://evil.example"")"`);
    expect(response.body).not.toContain('0.333333');

    const partner = await app.call('GET', downloadUrl(setup.customerId, `?months=12&subscriptionId=${subA}`), {
      token: setup.partner,
    });
    const partnerLines = (partner.body as string)
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(partnerLines[0]).toBe(
      'date,subscriptionId,meterCategory,meterName,meterId,unitOfMeasure,quantity,amount,currency,cost,source',
    );
    expect(partnerLines).toHaveLength(6);
    expect(partnerLines[1]).toMatch(/^2025-11-30,.*,11\.50,USD,10,graph$/);
  });

  it('refuses another customer’s admin, and answers 404 for a customer that does not exist', async () => {
    for (const url of [usageUrl(setup.customerId), downloadUrl(setup.customerId)]) {
      const refused = await app.call('GET', url, { token: other.admin });
      expect(refused).toMatchObject({ status: 403, body: { code: 'AUTH.NO_ACCESS' } });
    }
    const missing = await app.call('GET', usageUrl('5d1c0f8e-7a3b-4c2d-9e1f-000000000404'), { token: setup.partner });
    expect(missing).toMatchObject({ status: 404, body: { code: 'CUSTOMER.NOT_FOUND' } });
  });

  it('keeps the mark-up as a partner setting with an ETag', async () => {
    await setMarkup('12.5');
    const read = await app.call('GET', '/api/settings/usage', { token: setup.partner });
    expect(read.body).toEqual({ markupPercent: '12.5' });
    const blind = await app.call('PUT', '/api/settings/usage', { token: setup.partner, body: { markupPercent: '20' } });
    expect(blind).toMatchObject({ status: 409, body: { code: 'SETTINGS.EXISTS' } });
    const stale = await app.call('PUT', '/api/settings/usage', {
      token: setup.partner,
      body: { markupPercent: '20' },
      headers: { 'if-match': 'W/"stale"' },
    });
    expect(stale.status).toBe(412);
    expect(
      (
        await app.call('PUT', '/api/settings/usage', {
          token: setup.partner,
          body: { markupPercent: '-1' },
          headers: { 'if-match': read.headers.get('etag') ?? '' },
        })
      ).status,
    ).toBe(400);
  });
});

describe('simulated usage and the daily pull', () => {
  let plan: string;
  let seats: string;

  beforeAll(async () => {
    clock.set('2026-01-20T10:00:00Z');
    plan = (await bought(app, setup, { productId: AZURE_PLAN, term: 'P1M', billingFrequency: 'monthly', quantity: 1 }))
      .id;
    seats = (await bought(app, setup)).id;
    clock.set('2026-03-10T09:00:00Z');
  });

  it('is deterministic: pulling the same days again gives the same records, for Azure plans only, until yesterday', async () => {
    const first = await collect(app.services.usageSource.pull('2026-01-15', '2026-03-12'));
    const again = await collect(app.services.usageSource.pull('2026-01-15', '2026-03-12'));
    expect(again).toEqual(first);
    const mine = first.filter((r) => r.customerId === setup.customerId);
    expect(new Set(mine.map((r) => r.subscriptionId))).toEqual(new Set([plan]));
    expect(mine.some((r) => r.subscriptionId === seats)).toBe(false);
    const dates = [...new Set(mine.map((r) => r.date))].sort();
    expect(dates).toEqual(days('2026-01-20', '2026-03-10'));
    const vm = mine.filter((r) => r.meterName === 'D2s v5');
    expect(vm).toHaveLength(dates.length);
    for (const record of mine) {
      expect(record).toMatchObject({ source: 'simulator', currency: 'USD' });
      expect(Number(record.cost)).toBeGreaterThan(0);
    }
    expect(new Set(mine.map((r) => r.cost)).size).toBeGreaterThan(10);
  });

  it('runs nightly in the job table and stores yesterday and the three days before it, idempotently', async () => {
    expect(jobs).toContain(pullUsageJob);
    const context = { services: app.services, invocationId: 'test', log: () => undefined, deliveryCount: 1 };
    await pullUsageJob.handler(context);
    const stored = await collect(app.services.usageStore.list(setup.customerId, '2026-03-01', '2026-03-10', plan));
    expect([...new Set(stored.map((r) => r.date))]).toEqual(['2026-03-06', '2026-03-07', '2026-03-08', '2026-03-09']);
    await pullUsageJob.handler(context);
    expect(await collect(app.services.usageStore.list(setup.customerId, '2026-03-01', '2026-03-10', plan))).toEqual(
      stored,
    );

    const result = await pullUsage(app.services, '2026-01-01', '2026-03-10');
    expect(result.records).toBeGreaterThan(stored.length);
    const view = await app.call('GET', usageUrl(setup.customerId, `?subscriptionId=${plan}`), { token: setup.viewer });
    expect(view.body.meters.length).toBeGreaterThanOrEqual(2);
    expect(view.body.meters[0].monthly.map((m: { month: string }) => m.month)).toEqual([
      '2026-01',
      '2026-02',
      '2026-03',
    ]);
  });
});
