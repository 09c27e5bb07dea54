import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { continueBillingRun } from '../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import {
  BUSINESS_BASIC,
  BUSINESS_PREMIUM,
  bought,
  changeOf,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';
import { readWorkbook } from '../support/reports.ts';

/**
 * F-RECON over March 2026. Global prices of the demo catalog: Business Premium 22.00 a month, cost 19.80;
 * Business Basic 6.00, cost 5.40. Billing day 1, so March's charges are all on the invoice dated 2026-04-01.
 * Contoso's March holds two things the partner must catch: three Premium seats added directly in Microsoft's
 * side (never billed) and Basic cancelled there inside its window (Microsoft's refund not passed on). Fabrikam's
 * March is clean. Every amount is worked out by hand in the comments.
 */
const clock = testClock('2026-03-01T09:00:00Z');
let app: TestApp;
let contoso: CustomerSetup;
let fabrikam: CustomerSetup;
let premium: string;
let basic: string;

const reconcile = async () => {
  const imported = await app.call('POST', '/api/reconciliation/2026-03/imports', { token: contoso.partner, body: {} });
  expect(imported.status, JSON.stringify(imported.body)).toBe(200);
  const run = await app.call('POST', '/api/reconciliation/2026-03', { token: contoso.partner });
  expect(run.status, JSON.stringify(run.body)).toBe(200);
  return { imported: imported.body, run: run.body };
};

beforeAll(async () => {
  app = await createTestApp({}, { clock });
  contoso = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Contoso Ltd' });
  fabrikam = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Fabrikam Inc' });
});

describe('reconciliation of March 2026', () => {
  it('2026-03-01 — Contoso buys Premium ×10 and Basic ×4; Fabrikam buys Premium ×5', async () => {
    premium = (await bought(app, contoso, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
    basic = (await bought(app, contoso, { productId: BUSINESS_BASIC, quantity: 4 })).id;
    await bought(app, fabrikam, { productId: BUSINESS_PREMIUM, quantity: 5 });
  });

  it('2026-03-05 — Basic is cancelled directly at Microsoft, inside its window, behind the portal’s back', async () => {
    clock.set('2026-03-05T09:00:00Z');
    await app.services.commerce.updateSubscription(contoso.tenantId, basic, { status: 'deleted' }, 'direct-cancel');
  });

  it('2026-03-10 / 03-12 — through the portal: +5 Premium seats, then −2 inside their window', async () => {
    clock.set('2026-03-10T09:00:00Z');
    expect(
      (await changeOf(app, contoso, premium, { kind: 'quantity', quantity: 15, effective: 'immediately' })).status,
    ).toBe(200);
    clock.set('2026-03-12T09:00:00Z');
    expect(
      (await changeOf(app, contoso, premium, { kind: 'quantity', quantity: 13, effective: 'immediately' })).status,
    ).toBe(200);
  });

  it('2026-03-14 — three Premium seats are added directly at Microsoft: a seat change nobody bills', async () => {
    clock.set('2026-03-14T09:00:00Z');
    await app.services.commerce.updateSubscription(contoso.tenantId, premium, { quantity: 16 }, 'direct-increase');
  });

  it('2026-04-02 — before the bills: reconciling names the cycle not billed yet', async () => {
    clock.set('2026-04-02T08:00:00Z');
    await reconcile();
    const early = await app.call('GET', `/api/reconciliation/2026-03/customers/${fabrikam.customerId}`, {
      token: fabrikam.partner,
    });
    expect(early.status).toBe(200);
    expect(early.body).toMatchObject({ unbilledCycles: ['2026-04-01'], leakage: '0.00', billed: '0.00' });
    expect(early.body.subscriptions[0].mismatches).toEqual([
      expect.objectContaining({ kind: 'awaitingBilling', impact: '0', microsoftAmount: '99.00' }),
    ]);
  });

  it('2026-04-02 — after the April run: the unbilled seats and the refund not passed on, to the cent', async () => {
    expect(
      (await app.call('POST', '/api/billing/runs', { token: contoso.partner, body: { period: '2026-04' } })).status,
    ).toBe(202);
    await continueBillingRun(billingDepsOf(app.services), '2026-04');
    const { imported, run } = await reconcile();
    // Microsoft's side: Contoso Premium new, +5, −2, +3; Basic new and its cancellation; Fabrikam Premium new.
    expect(imported.lines).toBe(7);

    const got = await app.call('GET', `/api/reconciliation/2026-03/customers/${contoso.customerId}`, {
      token: contoso.partner,
    });
    expect(got.status).toBe(200);
    const result = got.body;
    expect(result.unbilledCycles).toEqual([]);
    const sub = (id: string) => result.subscriptions.find((s: { subscriptionId: string }) => s.subscriptionId === id);

    // Premium, Microsoft: 10 × 19.80 = 198.00; +5 × 19.80 × 22/31 = 70.26; −2 × 19.80 × 20/31 = −25.55;
    // +3 × 19.80 × 18/31 = 34.49 → 277.20. Billed: 220.00 + 78.06 − 28.39 = 269.67. Margin −7.53.
    expect(sub(premium)).toMatchObject({ microsoftCost: '277.20', billed: '269.67', margin: '-7.53' });
    expect(sub(premium).mismatches).toEqual([
      expect.objectContaining({ kind: 'chargedNotBilled', chargeDate: '2026-03-14', impact: '34.49' }),
    ]);
    // Basic, Microsoft: 4 × 5.40 = 21.60, then −4 × 5.40 × 27/31 = −18.81 → 2.79. Billed 4 × 6.00 = 24.00.
    expect(sub(basic)).toMatchObject({
      microsoftCost: '2.79',
      billed: '24.00',
      margin: '21.21',
      marginPercent: '88.38',
    });
    expect(sub(basic).mismatches).toEqual([
      expect.objectContaining({ kind: 'refundNotPassedOn', chargeDate: '2026-03-05', impact: '-18.81' }),
    ]);
    expect(result).toMatchObject({ leakage: '34.49', mismatchCount: 2, microsoftCost: '279.99', billed: '293.67' });

    // Fabrikam's clean month: 5 × 19.80 = 99.00 against 5 × 22.00 = 110.00, nothing to name.
    const clean = await app.call('GET', `/api/reconciliation/2026-03/customers/${fabrikam.customerId}`, {
      token: fabrikam.partner,
    });
    expect(clean.body).toMatchObject({
      microsoftCost: '99.00',
      billed: '110.00',
      margin: '11.00',
      marginPercent: '10.00',
      leakage: '0.00',
      mismatchCount: 0,
    });

    expect(run).toMatchObject({
      customers: 2,
      mismatches: 2,
      totals: [{ currency: 'USD', microsoftCost: '378.99', billed: '403.67', margin: '24.68', leakage: '34.49' }],
    });
  });

  it('writes the workbook beside the month’s reports, naming each mismatch', async () => {
    const bytes = await app.services.reports.read('2026-03/reconciliation/reconciliation-2026-03.xlsx');
    expect(bytes).toBeDefined();
    const book = await readWorkbook(bytes as Uint8Array);
    const customers = book.getWorksheet('Customers');
    const mismatches = book.getWorksheet('Mismatches');
    const texts = (sheet: typeof customers) => {
      const out: string[] = [];
      sheet?.eachRow((row) =>
        out.push(
          (row.values as unknown[])
            .slice(1)
            .map((v) => String(v ?? ''))
            .join(' | '),
        ),
      );
      return out;
    };
    expect(texts(customers)).toContainEqual(
      expect.stringContaining('Contoso Ltd | All subscriptions | USD | 279.99 | 293.67'),
    );
    const named = texts(mismatches).join('\n');
    expect(named).toContain('chargedNotBilled | 34.49');
    expect(named).toContain('refundNotPassedOn | -18.81');
  });

  it('mails the partner once about the leakage', async () => {
    const folder = path.join(app.config.DATA_DIR, 'mail');
    const mails = readdirSync(folder)
      .map(
        (f) =>
          JSON.parse(readFileSync(path.join(folder, f), 'utf8')) as {
            kind: string;
            subject: string;
            text: string;
            html?: string;
          },
      )
      .filter((m) => m.kind === 'reconciliation-leakage');
    expect(mails.map((m) => m.subject)).toEqual(['Billing leakage in 2026-03: 34.49 USD']);
    // In the partner's name, like its reports: the profile's legal name heads the text and the HTML.
    const name = app.config.PARTNER_NAME;
    expect(mails[0]?.text.split('\n')[0]).toBe(name);
    expect(mails[0]?.text).toContain('USD margin lost: 34.49 (Microsoft 378.99, billed 403.67)');
    expect(mails[0]?.html).toContain(`>${name}</div>`);
  });

  it('refuses a month that has not begun, and a month never imported', async () => {
    const future = await app.call('POST', '/api/reconciliation/2026-05/imports', { token: contoso.partner, body: {} });
    expect(future.status).toBe(422);
    expect(future.body.code).toBe('RECONCILIATION.MONTH_IN_FUTURE');
    const never = await app.call('POST', '/api/reconciliation/2026-02', { token: contoso.partner });
    expect(never.status).toBe(409);
    expect(never.body.code).toBe('RECONCILIATION.NOT_IMPORTED');
  });
});
