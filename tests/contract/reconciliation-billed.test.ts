import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { graphBilledSource } from '../../src/adapters/reconciliation/graph.billed.ts';
import { partnerCenterBilledSource, withFallback } from '../../src/adapters/reconciliation/partner-center.billed.ts';
import { partnerCenterHttp } from '../../src/adapters/partner-center/partner-center-http.ts';
import { graphUsageSource } from '../../src/adapters/usage/graph.usage.ts';
import type { MicrosoftBilledSource, SourceLine } from '../../src/app/ports/reconciliation.port.ts';
import { testClock } from '../support/clock.ts';
import { startFakeGraphBilling, type FakeGraphBilling, type Row } from '../support/fake-graph-billing.ts';
import {
  startFakePartnerCenterInvoices,
  type FakePartnerCenterInvoices,
} from '../support/fake-partner-center-invoices.ts';

/**
 * F-RECON's real sources of Microsoft's billed line items, at the wire: Microsoft Graph's billed reconciliation
 * export, Partner Center's invoice line items (OneTime billing line items, paged with a continuation token), and
 * the first falling back to the second.
 */
const TENANT = '7c0e6f52-3c4c-4f7e-9a55-00000000c0a1';
const SUB = '9d7d1f3d-c8de-461c-db6d-91debd5129f0';
const INVOICE = 'G000773581';
const PARTNER = '00000000-0000-4000-8000-00000000cafe';

/** A license-based billed line as both sources write it (the Partner Center reference's Power BI example). */
function row(overrides: Row = {}): Row {
  return {
    partnerId: PARTNER,
    customerId: TENANT,
    customerName: 'Contoso Ltd',
    customerDomainName: 'contoso.onmicrosoft.com',
    customerCountry: 'US',
    invoiceNumber: INVOICE,
    mpnId: '5357564',
    resellerMpnId: '0',
    orderId: '5f9d52bb1408',
    orderDate: '2026-03-01T18:48:30.6168285Z',
    productId: 'CFQ7TTC0LCHC',
    skuId: '0002',
    availabilityId: 'CFQ7TTC0K59S',
    productName: 'Microsoft 365 Business Premium',
    skuName: 'Microsoft 365 Business Premium',
    productQualifiers: [],
    chargeType: 'new',
    unitPrice: '22',
    effectiveUnitPrice: '19.8',
    unitType: '',
    quantity: '10',
    subtotal: '198',
    taxTotal: '0',
    totalForCustomer: '198',
    currency: 'USD',
    publisherName: 'Microsoft Corporation',
    subscriptionDescription: '',
    subscriptionId: SUB,
    subscriptionStartDate: '2026-03-01T00:00:00Z',
    subscriptionEndDate: '2027-02-28T00:00:00Z',
    chargeStartDate: '2026-03-01T00:00:00Z',
    chargeEndDate: '2026-03-31T00:00:00Z',
    termAndBillingCycle: 'One-Year commitment for monthly/yearly billing',
    billingFrequency: 'Monthly',
    ...overrides,
  };
}

/** March 2026: the purchase, three seats added on the 14th, a credit (left out) and April's cycle (another month). */
const march = (): Row[] => [
  row(),
  row({
    chargeType: 'Add quantity',
    quantity: 3,
    subtotal: 34.49,
    effectiveUnitPrice: 19.8,
    chargeStartDate: '2026-03-14T00:00:00Z',
    chargeEndDate: '2026-03-31T00:00:00Z',
  }),
  row({ chargeType: 'Customer credit', quantity: '1', subtotal: '-5', chargeStartDate: '2026-03-20T00:00:00Z' }),
  row({ chargeType: 'cycleCharge', chargeStartDate: '2026-04-01T00:00:00Z', chargeEndDate: '2026-04-30T00:00:00Z' }),
];

const expected: Partial<SourceLine>[] = [
  {
    customerTenantId: TENANT,
    subscriptionId: SUB,
    productId: 'CFQ7TTC0LCHC:0002',
    productName: 'Microsoft 365 Business Premium',
    chargeType: 'new',
    chargeStartDate: '2026-03-01',
    chargeEndDate: '2026-04-01',
    quantity: '10',
    unitPrice: '19.8',
    amount: '198',
    currency: 'USD',
    invoiceId: INVOICE,
  },
  {
    chargeType: 'addQuantity',
    chargeStartDate: '2026-03-14',
    chargeEndDate: '2026-04-01',
    quantity: '3',
    unitPrice: '19.8',
    amount: '34.49',
  },
];

let graph: FakeGraphBilling;
let pc: FakePartnerCenterInvoices;
let sleeps: number[];
const clock = testClock('2026-04-05T09:00:00Z');

function graphSource(): MicrosoftBilledSource {
  return graphBilledSource(
    graphUsageSource(
      {
        GRAPH_BASE_URL: graph.url,
        GRAPH_CLIENT_ID: 'not-used-with-an-injected-token',
        GRAPH_CLIENT_SECRET: 'not-used-with-an-injected-token',
        GRAPH_TIMEOUT_MS: 5000,
        GRAPH_MAX_RETRIES: 2,
        PARTNER_TENANT_ID: PARTNER,
        USAGE_EXPORT_CURRENCY: 'USD',
      },
      {
        customersByTenant: async () => new Map(),
        clock,
        getToken: async () => graph.token,
        sleep: async (ms) => void sleeps.push(ms),
        random: () => 1,
      },
    ),
  );
}

function pcSource(): MicrosoftBilledSource {
  return partnerCenterBilledSource(
    partnerCenterHttp(
      {
        PARTNER_CENTER_BASE_URL: pc.url,
        PARTNER_CENTER_CLIENT_ID: 'not-used-with-an-injected-token',
        PARTNER_CENTER_CLIENT_SECRET: 'not-used-with-an-injected-token',
        PARTNER_CENTER_TIMEOUT_MS: 5000,
        PARTNER_CENTER_MAX_RETRIES: 2,
        PARTNER_TENANT_ID: PARTNER,
      },
      { getToken: async () => pc.token, sleep: async (ms) => void sleeps.push(ms), random: () => 1 },
    ),
  );
}

async function pull(source: MicrosoftBilledSource, invoiceId = INVOICE): Promise<SourceLine[]> {
  const out: SourceLine[] = [];
  for await (const line of source.pull('2026-03', { invoiceId })) out.push(line);
  return out;
}

beforeAll(async () => {
  [graph, pc] = await Promise.all([startFakeGraphBilling(), startFakePartnerCenterInvoices()]);
});

afterAll(async () => {
  await Promise.all([graph.close(), pc.close()]);
});

beforeEach(() => {
  graph.reset();
  graph.reconciliation = {};
  pc.requests.length = 0;
  pc.lineItems = {};
  sleeps = [];
});

describe("Microsoft Graph's billed reconciliation export", () => {
  it('asks for the invoice with the full attribute set and keeps the month’s license charges', async () => {
    graph.reconciliation[INVOICE] = march();
    const lines = await pull(graphSource());
    expect(lines).toEqual(expected.map((e) => expect.objectContaining({ ...e, source: 'graph' })));
    const exportCall = graph.requests.find((r) => r.method === 'POST');
    expect(exportCall).toMatchObject({
      path: '/v1.0/reports/partners/billing/reconciliation/billed/export',
      body: { invoiceId: INVOICE, attributeSet: 'full' },
    });
  });
});

describe("Partner Center's invoice line items", () => {
  it('reads every page with the continuation token, on the documented route and headers', async () => {
    // Partner Center's older rows prefix the tenant with `org:`; numbers come as numbers or strings.
    pc.lineItems[INVOICE] = march().map((r, i) => (i === 0 ? { ...r, customerId: `org:${TENANT}` } : r));
    const source = partnerCenterBilledSource(
      partnerCenterHttp(
        {
          PARTNER_CENTER_BASE_URL: pc.url,
          PARTNER_CENTER_CLIENT_ID: 'x',
          PARTNER_CENTER_CLIENT_SECRET: 'x',
          PARTNER_CENTER_TIMEOUT_MS: 5000,
          PARTNER_CENTER_MAX_RETRIES: 2,
          PARTNER_TENANT_ID: PARTNER,
        },
        { getToken: async () => pc.token, sleep: async () => undefined },
      ),
    );
    const lines = await pull(source);
    expect(lines).toEqual(expected.map((e) => expect.objectContaining({ ...e, source: 'partnerCenter' })));
    // Four items fit one page of 2,000: one request, with the documented headers.
    expect(pc.requests.map((r) => `${r.method} ${r.path}`)).toEqual([
      `GET /v1/invoices/${INVOICE}/lineitems/OneTime/BillingLineItems?size=2000&offset=0`,
    ]);
    expect(pc.requests[0]?.headers).toMatchObject({
      authorization: `Bearer ${pc.token}`,
      accept: 'application/json',
      'x-locale': 'en-US',
      'ms-requestid': expect.any(String),
      'ms-correlationid': expect.any(String),
    });
  });

  it('follows links.next with MS-ContinuationToken until the last page', async () => {
    const many = Array.from({ length: 4500 }, (_, i) =>
      row({ subscriptionId: `00000000-0000-4000-8000-${String(i).padStart(12, '0')}` }),
    );
    pc.lineItems[INVOICE] = many;
    const lines = await pull(pcSource());
    expect(lines).toHaveLength(4500);
    expect(new Set(lines.map((l) => l.id)).size).toBe(4500);
    expect(pc.requests.map((r) => r.path)).toEqual([
      `/v1/invoices/${INVOICE}/lineitems/OneTime/BillingLineItems?size=2000&offset=0`,
      `/v1/invoices/${INVOICE}/lineitems/OneTime/BillingLineItems?seekOperation=Next`,
      `/v1/invoices/${INVOICE}/lineitems/OneTime/BillingLineItems?seekOperation=Next`,
    ]);
    expect(pc.requests[0]?.headers['ms-continuationtoken']).toBeUndefined();
    expect(pc.requests[1]?.headers['ms-continuationtoken']).toMatch(/.+,.+,.+/);
    expect(pc.requests[2]?.headers['ms-continuationtoken']).not.toBe(pc.requests[1]?.headers['ms-continuationtoken']);
  });

  it('waits as long as Retry-After says when throttled, then reads the page', async () => {
    pc.lineItems[INVOICE] = march();
    pc.throttleNext(1, '7');
    expect(await pull(pcSource())).toHaveLength(2);
    expect(sleeps).toEqual([7000]);
  });

  it('names the invoice id as the field at fault when Partner Center has no such invoice', async () => {
    await expect(pull(pcSource(), 'G999')).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
      extra: { errors: [{ path: 'invoiceId' }] },
    });
  });
});

describe('the Graph export with the invoice line items as fallback', () => {
  it('reads Graph alone when Graph serves the invoice', async () => {
    graph.reconciliation[INVOICE] = march();
    pc.lineItems[INVOICE] = march();
    const lines = await pull(withFallback(graphSource(), pcSource()));
    expect(lines.map((l) => l.source)).toEqual(['graph', 'graph']);
    expect(pc.requests).toEqual([]);
  });

  it('reads the same invoice from Partner Center when Graph refuses it, to the same lines', async () => {
    pc.lineItems[INVOICE] = march();
    const logged: string[] = [];
    const lines = await pull(withFallback(graphSource(), pcSource(), (_level, message) => void logged.push(message)));
    expect(lines).toEqual(expected.map((e) => expect.objectContaining({ ...e, source: 'partnerCenter' })));
    expect(graph.requests.some((r) => r.path.endsWith('/reconciliation/billed/export'))).toBe(true);
    expect(pc.requests).toHaveLength(1);
    expect(logged).toEqual(['billed reconciliation export failed; reading the invoice line items instead']);
  });

  it('does not fall back without an invoice id: the caller must name it', async () => {
    await expect(pull(withFallback(graphSource(), pcSource()), '')).rejects.toMatchObject({
      code: 'REQUEST.INVALID',
    });
    expect(pc.requests).toEqual([]);
  });
});
