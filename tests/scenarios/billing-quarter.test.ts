import { beforeAll, describe, expect, it } from 'vitest';
import { continueBillingRun } from '../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import { readWorkbook } from '../support/reports.ts';
import {
  BUSINESS_BASIC,
  BUSINESS_PREMIUM,
  bought,
  changeOf,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-BILLING over a quarter, with a fixed clock. Billing day 1: the cycle [03-01, 04-01) is the invoice dated
 * 2026-04-01. Every amount is worked out by hand in the comments (global prices: Business Premium 22.00 a
 * month or 264.00 a year; Business Basic 6.00, 5.50 on this customer's own list).
 */
const clock = testClock('2026-03-01T09:00:00Z');
let app: TestApp;
let setup: CustomerSetup;
let premium: string;
let basic: string;
let annual: string;
let azure: string;

const AZURE_PLAN = 'DZH318Z0BPS6:0001';

/** A day of Azure usage on the plan's virtual machine meter, as the daily pull stores it. */
function vmDay(day: string, cost: string) {
  return {
    customerId: setup.customerId,
    subscriptionId: azure,
    meterId: 'vm-d2s-v5',
    meterName: 'D2s v5',
    unitOfMeasure: '1 Hour',
    date: day,
    quantity: '24',
    cost,
    currency: 'USD',
    source: 'simulator',
  };
}

async function run(period: string) {
  const { status } = await app.call('POST', '/api/billing/runs', { token: setup.partner, body: { period } });
  expect(status).toBe(202);
  return continueBillingRun(billingDepsOf(app.services), period);
}

async function invoice(cycle: string) {
  const list = await app.call('GET', `/api/customers/${setup.customerId}/invoices`, { token: setup.viewer });
  const found = list.body.items.find((i: { cycle: string }) => i.cycle === cycle);
  expect(found, `no invoice for ${cycle}`).toBeDefined();
  const detail = await app.call('GET', `/api/customers/${setup.customerId}/invoices/${found.id}`, {
    token: setup.viewer,
  });
  const lines = detail.body.subscriptions.flatMap((s: { lines: unknown[] }) => s.lines) as {
    id: string;
    kind: string;
    subscriptionId?: string;
    amount: string;
    chargeDate: string;
    originalCycle?: string;
    correctsLineId?: string;
  }[];
  return { invoice: detail.body.invoice, lines, etag: detail.headers.get('etag') as string };
}

const amounts = (lines: { kind: string; subscriptionId?: string; amount: string }[], subscriptionId?: string) =>
  lines
    .filter((l) => l.subscriptionId === subscriptionId)
    .map((l) => `${l.kind} ${l.amount}`)
    .sort();

beforeAll(async () => {
  app = await createTestApp({}, { clock });
  setup = await setupCustomer(app, { billingDay: 1, currency: 'USD' });
  const prices = await app.call('PUT', `/api/price-lists/${setup.customerId}/prices`, {
    token: setup.partner,
    body: {
      prices: [
        {
          productId: BUSINESS_BASIC,
          term: 'P1Y',
          frequency: 'monthly',
          currency: 'USD',
          salePrice: '5.50',
          cost: '5.00',
          effectiveFrom: '2025-01-01',
        },
        {
          productId: BUSINESS_PREMIUM,
          term: 'P1Y',
          frequency: 'monthly',
          currency: 'USD',
          salePrice: '20.00',
          cost: '18.00',
          effectiveFrom: '2026-05-01',
        },
      ],
    },
  });
  expect(prices.status).toBe(200);
});

describe('a quarter of billing', () => {
  it('2026-03-01 — buys Premium ×10 monthly, Basic ×4 monthly, Premium ×2 billed annually', async () => {
    premium = (await bought(app, setup, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
    basic = (await bought(app, setup, { productId: BUSINESS_BASIC, quantity: 4 })).id;
    annual = (await bought(app, setup, { productId: BUSINESS_PREMIUM, quantity: 2, billingFrequency: 'annual' })).id;
    azure = (await bought(app, setup, { productId: AZURE_PLAN, term: 'P1M', quantity: 1 })).id;
    const settings = await app.call('PUT', '/api/settings/usage', {
      token: setup.partner,
      body: { markupPercent: '10' },
    });
    expect(settings.status).toBe(200);
  });

  it('2026-03 — 31 days of Azure usage at 1.234567 a day are pulled', async () => {
    await app.services.usageStore.save(
      Array.from({ length: 31 }, (_, i) => vmDay(`2026-03-${String(i + 1).padStart(2, '0')}`, '1.234567')),
    );
  });

  it('2026-03-10 — adds 5 Premium seats; 03-12 removes 2 inside their window; 03-15 suspends Basic', async () => {
    clock.set('2026-03-10T09:00:00Z');
    expect(
      (await changeOf(app, setup, premium, { kind: 'quantity', quantity: 15, effective: 'immediately' })).status,
    ).toBe(200);
    clock.set('2026-03-12T09:00:00Z');
    expect(
      (await changeOf(app, setup, premium, { kind: 'quantity', quantity: 13, effective: 'immediately' })).status,
    ).toBe(200);
    clock.set('2026-03-15T09:00:00Z');
    expect((await changeOf(app, setup, basic, { kind: 'suspend', effective: 'immediately' }, setup.admin)).status).toBe(
      200,
    );
  });

  it('2026-04-01 — March invoice: fees in advance, pro-rata and refund, the annual fee once', async () => {
    clock.set('2026-04-01T01:00:00Z');
    const result = await run('2026-04');
    expect(result).toMatchObject({ status: 'completed', customersDone: 1 });
    const march = await invoice('2026-04-01');
    // Premium: 10 × 22.00 = 220.00; +5 on 03-10: 5 × 22.00 × 22/31 = 78.06; −2 on 03-12: 2 × 22.00 × 20/31 = 28.39 back.
    expect(amounts(march.lines, premium)).toEqual(['cycleFee 220.00', 'proRata 78.06', 'refund -28.39']);
    const fee = march.lines.find((l) => l.subscriptionId === premium && l.kind === 'cycleFee');
    expect(march.lines.find((l) => l.subscriptionId === premium && l.kind === 'refund')).toMatchObject({
      refundsLineId: fee?.id,
    });
    // Basic at the customer's own price: 4 × 5.50 = 22.00 (suspended later, still billed).
    expect(amounts(march.lines, basic)).toEqual(['cycleFee 22.00']);
    // Annual billing: 2 × 264.00 = 528.00, once for the year.
    expect(amounts(march.lines, annual)).toEqual(['cycleFee 528.00']);
    // Usage: 31 × 1.234567 = 38.271577, × 1.10 mark-up = 42.0987347, rounded once: 42.10. The plan's own fee is 0.00.
    expect(amounts(march.lines, azure)).toEqual(['cycleFee 0.00', 'usage 42.10']);
    // 220.00 + 78.06 − 28.39 + 22.00 + 528.00 + 42.10
    expect(march.invoice).toMatchObject({
      total: '861.77',
      currency: 'USD',
      status: 'open',
      cycleStart: '2026-03-01',
      issuedOn: '2026-04-01',
      lineCount: 7,
    });
  });

  it('2026-04-03 — Microsoft re-rates March 31: 11.234567 instead of 1.234567, after March closed', async () => {
    await app.services.usageStore.save([vmDay('2026-03-31', '11.234567')]);
  });

  it('2026-04-20 — a one-off charge; 04-22 a back-dated one for March, after March closed', async () => {
    clock.set('2026-04-20T10:00:00Z');
    const add = (date: string, description: string, unitPrice: string) =>
      app.call('POST', `/api/customers/${setup.customerId}/one-off-charges`, {
        token: setup.partner,
        body: { date, description, unitPrice },
      });
    expect((await add('2026-04-20', 'Onboarding workshop', '150.00')).status).toBe(201);
    clock.set('2026-04-22T10:00:00Z');
    expect((await add('2026-03-25', 'Migration hours in March', '25.00')).status).toBe(201);
  });

  it('2026-05-01 — April invoice: suspended Basic still billed, the annual fee not again, the late March charge as a correction', async () => {
    clock.set('2026-05-01T01:00:00Z');
    await run('2026-05');
    const april = await invoice('2026-05-01');
    // Premium 13 × 22.00 = 286.00; Basic 4 × 5.50 = 22.00; no annual fee until 2027-03-01.
    expect(amounts(april.lines, premium)).toEqual(['cycleFee 286.00']);
    expect(amounts(april.lines, basic)).toEqual(['cycleFee 22.00']);
    expect(amounts(april.lines, annual)).toEqual([]);
    const late = april.lines.find((l) => l.kind === 'oneOff' && l.chargeDate === '2026-03-25');
    expect(late).toMatchObject({ amount: '25.00', originalCycle: '2026-04-01' });
    // March usage is now 48.271577 × 1.10 = 53.0987347 → 53.10; 42.10 was billed: a correction of 11.00 linked to it.
    const usageLine = (await invoice('2026-04-01')).lines.find((l) => l.kind === 'usage');
    expect(april.lines.find((l) => l.kind === 'correction')).toMatchObject({
      amount: '11.00',
      originalCycle: '2026-04-01',
      correctsLineId: usageLine?.id,
    });
    // 286.00 + 22.00 + 150.00 + 25.00 + 11.00 (+ the plan's 0.00 fee is not due: its one-month term ended)
    expect(april.invoice.total).toBe('494.00');
    const march = await invoice('2026-04-01');
    expect(march.invoice.total).toBe('861.77');
  });

  it('2026-05-01 — the April invoice as a PDF from the invoice route: the correction says what it corrects', async () => {
    const april = await invoice('2026-05-01');
    const url = `/api/customers/${setup.customerId}/invoices/${april.invoice.id}/download`;
    const pdf = await app.call('GET', `${url}?format=pdf`, { token: setup.viewer });
    expect(pdf.status).toBe(200);
    expect(pdf.headers.get('content-type')).toBe('application/pdf');
    expect(pdf.headers.get('content-disposition')).toBe(`attachment; filename="${april.invoice.id}.pdf"`);
    const { extractText, getDocumentProxy } = await import('unpdf');
    const { text } = await extractText(await getDocumentProxy(new Uint8Array(pdf.body as Uint8Array)), {
      mergePages: true,
    });
    const flat = text.replace(/\s+/g, ' ');
    const usageLine = (await invoice('2026-04-01')).lines.find((l) => l.kind === 'usage');
    expect(flat).toContain(`Corrects line ${usageLine?.id} of the invoice of the cycle ending 2026-04-01`);
    expect(flat).toContain('Belongs to the invoice of the cycle ending 2026-04-01');
    expect(flat).toContain('Total (USD) 494.00');

    const xlsx = await app.call('GET', `${url}?format=xlsx`, { token: setup.viewer });
    expect(xlsx.status).toBe(200);
    expect(xlsx.headers.get('content-type')).toBe('application/vnd.openxmlformats-officedocument.spreadsheetml.sheet');
    expect((await readWorkbook(xlsx.body as Uint8Array)).worksheets.map((w) => w.name)).toEqual([
      'Summary',
      'Billing report',
    ]);
    expect((await app.call('GET', `${url}?format=doc`, { token: setup.viewer })).status).toBe(400);
  });

  it('re-running a billed period adds nothing', async () => {
    const before = (await invoice('2026-05-01')).lines.length;
    await run('2026-05');
    await run('2026-04');
    expect((await invoice('2026-05-01')).lines).toHaveLength(before);
    expect((await invoice('2026-04-01')).invoice.total).toBe('861.77');
  });

  it('2026-06-01 — May invoice: the customer price of 20.00 in force from 05-01 overrides the global 22.00', async () => {
    clock.set('2026-06-01T01:00:00Z');
    await run('2026-06');
    const may = await invoice('2026-06-01');
    // Premium 13 × 20.00 = 260.00 (customer list from 2026-05-01); Basic 22.00.
    expect(amounts(may.lines, premium)).toEqual(['cycleFee 260.00']);
    expect(may.invoice.total).toBe('282.00');
  });

  it('lets the partner mark an invoice paid, once, with its ETag', async () => {
    const march = await invoice('2026-04-01');
    const url = `/api/customers/${setup.customerId}/invoices/${march.invoice.id}/paid`;
    expect((await app.call('POST', url, { token: setup.admin, headers: { 'if-match': march.etag } })).status).toBe(403);
    const paid = await app.call('POST', url, { token: setup.partner, headers: { 'if-match': march.etag } });
    expect(paid.body).toMatchObject({ status: 'paid' });
    expect((await app.call('POST', url, { token: setup.partner, headers: { 'if-match': march.etag } })).status).toBe(
      412,
    );
    const list = await app.call('GET', `/api/customers/${setup.customerId}/invoices?status=paid`, {
      token: setup.viewer,
    });
    expect(list.body.items.map((i: { cycle: string }) => i.cycle)).toEqual(['2026-04-01']);
    const csv = await app.call('GET', `/api/customers/${setup.customerId}/invoices/${march.invoice.id}/download`, {
      token: setup.viewer,
    });
    expect(String(csv.body).trim().split('\r\n')).toHaveLength(8);
  });
});
