import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse } from 'csv-parse/sync';
import { continueBillingRun } from '../../src/app/billing/billing-run.ts';
import { billingDepsOf } from '../../src/app/billing/deps.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import { connectWiseAdditions } from '../../src/adapters/psa/connectwise.psa.ts';
import {
  BUSINESS_PREMIUM,
  bought,
  changeOf,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-PSA. ConnectWise Manage is faked at the wire with the shapes of its REST reference (API 3.0,
 * `POST /v4_6_release/apis/3.0/finance/agreements/{id}/additions` answering 201 with the addition; 400 with
 * `{ code, message, errors: [{ code, message, resource, field }] }` for a bad product). Billing day 1, March 2026:
 * Premium ×10 (22.00 a seat, cost 19.80), +5 seats on 03-10 (5 × 22.00 × 22/31 = 78.06).
 */
interface Received {
  method: string;
  url: string;
  headers: IncomingHttpHeaders;
  body: Record<string, unknown>;
}

const received: Received[] = [];
let refuseProduct: string | undefined;
let nextId = 101;
let connectWise: Server;
const clock = testClock('2026-03-01T09:00:00Z');
let app: TestApp;
let setup: CustomerSetup;

beforeAll(async () => {
  connectWise = createServer((req, res) => {
    let text = '';
    req.on('data', (chunk: Buffer) => (text += chunk.toString()));
    req.on('end', () => {
      const body = JSON.parse(text || '{}') as Record<string, unknown>;
      received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers, body });
      const product = (body.product as { identifier?: string } | undefined)?.identifier;
      res.setHeader('content-type', 'application/json; charset=utf-8');
      if (product === refuseProduct) {
        res.statusCode = 400;
        res.end(
          JSON.stringify({
            code: 'InvalidObject',
            message: 'agreementAddition object is invalid',
            errors: [
              { code: 'InvalidField', message: 'Product not found.', resource: 'agreementAddition', field: 'product' },
            ],
          }),
        );
        return;
      }
      res.statusCode = 201;
      res.end(JSON.stringify({ id: nextId++, product: { id: 7, identifier: product }, quantity: body.quantity }));
    });
  });
  await new Promise<void>((resolve) => connectWise.listen(0, '127.0.0.1', resolve));
  const { port } = connectWise.address() as AddressInfo;
  app = await createTestApp(
    {
      CONNECTWISE_BASE_URL: `http://127.0.0.1:${port}`,
      CONNECTWISE_COMPANY_ID: 'contosomsp',
      CONNECTWISE_PUBLIC_KEY: 'pub123',
      CONNECTWISE_PRIVATE_KEY: 'priv456',
      CONNECTWISE_CLIENT_ID: '0a1b2c3d-0000-4000-8000-000000000001',
    },
    { clock },
  );
  setup = await setupCustomer(app, { billingDay: 1, currency: 'USD', name: 'Contoso Ltd' });
  const premium = (await bought(app, setup, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
  clock.set('2026-03-10T09:00:00Z');
  expect(
    (await changeOf(app, setup, premium, { kind: 'quantity', quantity: 15, effective: 'immediately' })).status,
  ).toBe(200);
  clock.set('2026-04-01T02:00:00Z');
  await app.call('POST', '/api/billing/runs', { token: setup.partner, body: { period: '2026-04' } });
  await continueBillingRun(billingDepsOf(app.services), '2026-04');
});

afterAll(() => new Promise<void>((resolve) => connectWise.close(() => resolve())));

const mapping = () => ({
  customers: [{ customerId: setup.customerId, companyId: 'Contoso', agreementId: '4711' }],
  products: [{ productId: BUSINESS_PREMIUM, psaProductId: 'M365-BP-NCE' }],
});

describe('PSA export', () => {
  it('refuses an export before anything is mapped', async () => {
    const r = await app.call('GET', '/api/psa/additions/2026-04-01', { token: setup.partner });
    expect(r.status).toBe(409);
    expect(r.body.code).toBe('PSA.NOT_MAPPED');
  });

  it('keeps the mapping under an ETag', async () => {
    const put = await app.call('PUT', '/api/psa/mapping', { token: setup.partner, body: mapping() });
    expect(put.status).toBe(200);
    const again = await app.call('PUT', '/api/psa/mapping', { token: setup.partner, body: mapping() });
    expect(again.status).toBe(409);
    const bad = await app.call('PUT', '/api/psa/mapping', {
      token: setup.partner,
      body: { ...mapping(), customers: [{ customerId: setup.customerId, companyId: 'A,B', agreementId: '1' }] },
    });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.customers.0.companyId');
  });

  it('lists the cycle’s additions: fee and pro-rata, prices per seat, extended price to the cent', async () => {
    const r = await app.call('GET', '/api/psa/additions/2026-04-01', { token: setup.partner });
    expect(r.status).toBe(200);
    const byKind = r.body.additions.map((a: Record<string, string>) => [
      a.quantity,
      a.unitPrice,
      a.unitCost,
      a.extendedPrice,
      a.extendedCost,
      a.effectiveDate,
      a.endDate,
    ]);
    // Fee: 10 × 22.00 (cost 19.80). Pro-rata: 78.06 for 5 seats = 15.6120 a seat; cost 5 × 19.80 × 22/31 = 70.26.
    expect(byKind).toEqual([
      ['10', '22.0000', '19.8000', '220.00', '198.00', '2026-03-01', '2026-03-31'],
      ['5', '15.6120', '14.0520', '78.06', '70.26', '2026-03-10', '2026-03-31'],
    ]);
    expect(r.body.skipped).toEqual([]);
  });

  it('writes the CSV each PSA imports', async () => {
    const cw = await app.call('GET', '/api/psa/additions/2026-04-01?format=connectwise', { token: setup.partner });
    expect(cw.headers.get('content-type')).toContain('text/csv');
    const rows = parse(cw.body as string, { columns: true }) as Record<string, string>[];
    expect(rows[0]).toMatchObject({
      'Agreement ID': '4711',
      'Product ID': 'M365-BP-NCE',
      Quantity: '10',
      'Unit Price': '22.0000',
      'Effective Date': '03/01/2026',
      'Bill Customer': 'Billable',
    });
    const at = await app.call('GET', '/api/psa/additions/2026-04-01?format=autotask', { token: setup.partner });
    const autotask = parse(at.body as string, { columns: true }) as Record<string, string>[];
    expect(autotask[1]).toMatchObject({
      'Contract ID': '4711',
      'Service ID': 'M365-BP-NCE',
      Units: '5',
      'Extended Price': '78.06',
      'Start Date': '03/10/2026',
      'End Date': '03/31/2026',
    });
  });

  it('sends each addition to ConnectWise Manage once, as its REST reference documents', async () => {
    const first = await app.call('POST', '/api/psa/connectwise/additions/2026-04-01', { token: setup.partner });
    expect(first.status, JSON.stringify(first.body)).toBe(200);
    expect(first.body).toMatchObject({ sent: 2, alreadySent: 0 });
    expect(received).toHaveLength(2);
    const [fee] = received;
    expect(fee?.method).toBe('POST');
    expect(fee?.url).toBe('/v4_6_release/apis/3.0/finance/agreements/4711/additions');
    expect(fee?.headers.authorization).toBe(`Basic ${Buffer.from('contosomsp+pub123:priv456').toString('base64')}`);
    expect(fee?.headers.clientid).toBe('0a1b2c3d-0000-4000-8000-000000000001');
    expect(fee?.body).toMatchObject({
      product: { identifier: 'M365-BP-NCE' },
      quantity: 10,
      unitPrice: 22,
      unitCost: 19.8,
      billCustomer: 'Billable',
      effectiveDate: '2026-03-01T00:00:00Z',
    });
    const again = await app.call('POST', '/api/psa/connectwise/additions/2026-04-01', { token: setup.partner });
    expect(again.body).toMatchObject({ sent: 0, alreadySent: 2 });
    expect(received).toHaveLength(2);
  });

  it('names ConnectWise’s refusal of an unknown product, with the field it names', async () => {
    refuseProduct = 'M365-UNKNOWN';
    const api = connectWiseAdditions(app.config);
    const addition = {
      id: 'line-x',
      customerId: setup.customerId,
      companyId: 'Contoso',
      agreementId: '4711',
      psaProductId: 'M365-UNKNOWN',
      description: 'Unknown',
      quantity: '1',
      unitPrice: '1.0000',
      unitCost: '1.0000',
      extendedPrice: '1.00',
      extendedCost: '1.00',
      currency: 'USD',
      effectiveDate: '2026-03-01',
      endDate: '2026-03-31',
      cycle: '2026-04-01',
    };
    await expect(api.create(addition)).rejects.toMatchObject({
      code: 'PSA.ADDITION_REFUSED',
      message: expect.stringContaining('product Product not found.'),
    });
    expect(await app.services.psa.sent('line-x')).toBeUndefined();
  });
});
