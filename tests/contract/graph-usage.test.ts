import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  graphUsageSource,
  type GraphUsageConfig,
  type GraphUsageSource,
} from '../../src/adapters/usage/graph.usage.ts';
import type { UsageRecord } from '../../src/domain/billing.ts';
import { testClock } from '../support/clock.ts';
import { startFakeGraphBilling, type FakeGraphBilling, type Row } from '../support/fake-graph-billing.ts';

const TENANT = randomUUID();
const CUSTOMER = randomUUID();
const PLAN = randomUUID();
const VM = 'fd9b8a2c-1e51-4a1b-9e6a-3f0d6c1a0b01';
const STORAGE = 'fd9b8a2c-1e51-4a1b-9e6a-3f0d6c1a0b02';

/** A row of the unbilled export (full attribute set), as Microsoft writes it. */
function buildRow(overrides: Row = {}): Row {
  return {
    partnerId: '00000000-0000-4000-8000-00000000cafe',
    customerId: TENANT,
    customerName: 'Contoso',
    productId: 'DZH318Z0BPS6',
    skuId: '0001',
    subscriptionId: PLAN,
    entitlementId: randomUUID(),
    meterType: '1 Compute Hour',
    meterCategory: 'Virtual Machines',
    meterId: VM,
    meterName: 'D2s v5',
    unitOfMeasure: '1 Hour',
    resourceUri: `/subscriptions/x/resourceGroups/rg/providers/Microsoft.Compute/virtualMachines/vm-${randomUUID().slice(0, 4)}`,
    chargeType: 'new',
    usageDate: '2026-03-06T00:00:00',
    unitPrice: 0.096,
    quantity: 24,
    billableQuantity: 24,
    pricingPreTaxTotal: 2.304,
    pricingCurrency: 'USD',
    billingPreTaxTotal: 2.12,
    billingCurrency: 'EUR',
    ...overrides,
  };
}

let fake: FakeGraphBilling;
let sleeps: number[];
const clock = testClock('2026-03-10T02:30:00Z');

function config(overrides: Partial<GraphUsageConfig> = {}): GraphUsageConfig {
  return {
    GRAPH_BASE_URL: fake.url,
    GRAPH_CLIENT_ID: 'not-used-with-an-injected-token',
    GRAPH_CLIENT_SECRET: 'not-used-with-an-injected-token',
    GRAPH_TIMEOUT_MS: 5000,
    GRAPH_MAX_RETRIES: 2,
    PARTNER_TENANT_ID: '00000000-0000-4000-8000-00000000cafe',
    USAGE_EXPORT_CURRENCY: 'USD',
    ...overrides,
  };
}

function source(overrides: Partial<GraphUsageConfig> = {}, options: { maxPollMs?: number } = {}): GraphUsageSource {
  return graphUsageSource(config(overrides), {
    customersByTenant: async () => new Map([[TENANT, CUSTOMER]]),
    clock,
    getToken: async () => fake.token,
    sleep: async (ms) => void sleeps.push(ms),
    random: () => 1,
    ...options,
  });
}

async function all(records: AsyncIterable<UsageRecord>): Promise<UsageRecord[]> {
  const out: UsageRecord[] = [];
  for await (const record of records) out.push(record);
  return out.sort((a, b) => a.date.localeCompare(b.date) || a.meterId.localeCompare(b.meterId));
}

beforeAll(async () => {
  fake = await startFakeGraphBilling();
});

afterAll(async () => {
  await fake.close();
});

beforeEach(() => {
  fake.reset();
  fake.unbilled = {};
  fake.billed = {};
  fake.runningPolls = 0;
  fake.pollRetryAfter = undefined;
  fake.failOperations = undefined;
  fake.manifestAsLink = false;
  fake.rowsPerBlob = 1000;
  sleeps = [];
});

describe('Graph usage adapter at the wire (partner billing reconciliation export)', () => {
  it('exports, polls the operation, reads every gzip blob and sums rows per subscription, meter and day', async () => {
    fake.rowsPerBlob = 2;
    fake.runningPolls = 2;
    fake.pollRetryAfter = '7';
    fake.unbilled.current = [
      buildRow(),
      buildRow({ quantity: 12, billableQuantity: 12, pricingPreTaxTotal: 1.152 }),
      // PascalCase keys, no pre-tax total: unit price × quantity.
      Object.fromEntries(
        Object.entries(
          buildRow({
            meterId: STORAGE,
            meterName: 'Hot LRS Data Stored',
            meterCategory: 'Storage',
            unitOfMeasure: '1 GB/Month',
            unitPrice: '0.0208',
            quantity: '33.5',
            pricingPreTaxTotal: null,
          }),
        ).map(([k, v]) => [k.charAt(0).toUpperCase() + k.slice(1), v]),
      ),
      buildRow({ customerId: randomUUID() }),
      buildRow({ usageDate: '2026-03-02T00:00:00' }),
      buildRow({ usageDate: '2026-03-08T00:00:00' }),
    ];

    const records = await all(source().pull('2026-03-05', '2026-03-08'));

    expect(records).toEqual([
      {
        customerId: CUSTOMER,
        subscriptionId: PLAN,
        meterId: VM,
        meterName: 'D2s v5',
        meterCategory: 'Virtual Machines',
        unitOfMeasure: '1 Hour',
        date: '2026-03-06',
        quantity: '36',
        cost: '3.456',
        currency: 'USD',
        source: 'graph',
      },
      {
        customerId: CUSTOMER,
        subscriptionId: PLAN,
        meterId: STORAGE,
        meterName: 'Hot LRS Data Stored',
        meterCategory: 'Storage',
        unitOfMeasure: '1 GB/Month',
        date: '2026-03-06',
        quantity: '33.5',
        cost: '0.6968',
        currency: 'USD',
        source: 'graph',
      },
    ]);

    const [start, ...rest] = fake.requests;
    expect(start).toMatchObject({
      method: 'POST',
      path: '/v1.0/reports/partners/billing/usage/unbilled/export',
      body: { currencyCode: 'USD', billingPeriod: 'current', attributeSet: 'full' },
      headers: { authorization: `Bearer ${fake.token}`, 'content-type': 'application/json' },
    });
    const polls = rest.filter((r) => r.path.startsWith('/v1.0/reports/partners/billing/operations/'));
    expect(polls).toHaveLength(3);
    for (const poll of polls)
      expect(poll).toMatchObject({ method: 'GET', headers: { authorization: `Bearer ${fake.token}` } });
    expect(sleeps).toEqual([7000, 7000]);
    const blobs = rest.filter((r) => r.path.startsWith('/blobs/'));
    expect(blobs).toHaveLength(3);
    for (const blob of blobs) {
      expect(blob.headers.authorization).toBeUndefined();
      expect(blob.path).toMatch(/\.json\.gz\?sv=.*&sig=/);
    }
  });

  it('asks for the last billing period too when the days reach into the previous month', async () => {
    fake.unbilled.last = [buildRow({ usageDate: '2026-02-27T00:00:00' })];
    fake.unbilled.current = [buildRow({ usageDate: '2026-03-01T00:00:00' })];
    const records = await all(source().pull('2026-02-27', '2026-03-02'));
    expect(records.map((r) => r.date)).toEqual(['2026-02-27', '2026-03-01']);
    expect(
      fake.requests.filter((r) => r.method === 'POST').map((r) => (r.body as { billingPeriod: string }).billingPeriod),
    ).toEqual(['last', 'current']);
  });

  it('reads an invoice’s billed usage, following a manifest given as a link', async () => {
    fake.manifestAsLink = true;
    fake.billed['G016907411'] = [
      buildRow({ usageDate: '2026-01-15T00:00:00' }),
      buildRow({ usageDate: '2026-02-03T00:00:00' }),
    ];
    const records = await all(source().pullInvoice('G016907411'));
    expect(records.map((r) => r.date)).toEqual(['2026-01-15', '2026-02-03']);
    expect(fake.requests[0]).toMatchObject({
      method: 'POST',
      path: '/v1.0/reports/partners/billing/usage/billed/export',
      body: { invoiceId: 'G016907411', attributeSet: 'full' },
    });
    expect(
      fake.requests.some(
        (r) =>
          r.path.startsWith('/v1.0/reports/partners/billing/manifests/') &&
          r.headers.authorization === `Bearer ${fake.token}`,
      ),
    ).toBe(true);
  });

  it('waits out a 429 with its Retry-After, then goes on', async () => {
    fake.unbilled.current = [buildRow()];
    fake.failNext({ times: 1, answer: 429, retryAfter: '3', path: /\/export$/ });
    const records = await all(source().pull('2026-03-06', '2026-03-07'));
    expect(records).toHaveLength(1);
    expect(sleeps[0]).toBe(3000);
    expect(fake.requests.filter((r) => r.method === 'POST')).toHaveLength(2);
  });

  it('gives up after GRAPH_MAX_RETRIES throttled answers with USAGE.SOURCE_THROTTLED, and after 5xx with USAGE.SOURCE_UNAVAILABLE', async () => {
    fake.unbilled.current = [buildRow()];
    fake.failNext({ times: 3, answer: 429, retryAfter: '2' });
    await expect(all(source().pull('2026-03-06', '2026-03-07'))).rejects.toMatchObject({
      code: 'USAGE.SOURCE_THROTTLED',
      extra: { retryAfterSeconds: 2 },
    });
    expect(fake.requests).toHaveLength(3);
    expect(sleeps).toEqual([2000, 2000]);

    fake.reset();
    fake.failNext({ times: 3, answer: 503, path: /^\/blobs\// });
    await expect(all(source().pull('2026-03-06', '2026-03-07'))).rejects.toMatchObject({
      code: 'USAGE.SOURCE_UNAVAILABLE',
    });
  });

  it('reports a failed export operation with Microsoft’s reason', async () => {
    fake.unbilled.current = [buildRow()];
    fake.failOperations = 'No data available';
    await expect(all(source().pull('2026-03-06', '2026-03-07'))).rejects.toMatchObject({
      code: 'USAGE.EXPORT_FAILED',
      message: expect.stringContaining('No data available'),
      extra: { microsoftCode: '5000' },
    });
  });

  it('stops polling an export that does not finish in time', async () => {
    fake.unbilled.current = [buildRow()];
    fake.runningPolls = 100;
    fake.pollRetryAfter = '60';
    await expect(all(source({}, { maxPollMs: 150_000 }).pull('2026-03-06', '2026-03-07'))).rejects.toMatchObject({
      code: 'USAGE.EXPORT_TIMEOUT',
    });
    expect(sleeps).toEqual([60_000, 60_000]);
  });

  it('explains a refused token', async () => {
    fake.unbilled.current = [buildRow()];
    const refused = graphUsageSource(config(), {
      customersByTenant: async () => new Map(),
      clock,
      getToken: async () => 'wrong',
      sleep: async () => undefined,
    });
    await expect(all(refused.pull('2026-03-06', '2026-03-07'))).rejects.toMatchObject({
      code: 'USAGE.SOURCE_UNAVAILABLE',
      message: expect.stringContaining('PartnerBilling.Read.All'),
    });
  });
});
