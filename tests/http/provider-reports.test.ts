import { beforeAll, describe, expect, it } from 'vitest';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { testClock } from '../support/clock.ts';
import { readWorkbook, sha256, validateAgainst } from '../support/reports.ts';
import {
  BUSINESS_BASIC,
  BUSINESS_PREMIUM,
  bought,
  changeOf,
  setupCustomer,
  type CustomerSetup,
} from '../support/subscription-builders.ts';

/**
 * F-REPORTS, service provider side: licenses computed from the subscriptions (seats held at the month's end from
 * the change history, licenses assigned from the mirror) beside counts the partner enters by hand; the usage
 * spreadsheet, the license report and the customer and reseller allocation report, downloadable like the
 * billing reports; bundles allocated vs used per customer.
 */
const clock = testClock('2026-09-01T09:00:00Z');
const PERIOD = '2026-10';
let app: TestApp;
let owned: CustomerSetup;
let direct: CustomerSetup;
let resellerId: string;

async function assign(setup: CustomerSetup, subscriptionId: string, assigned: number) {
  const current = await app.services.customerData.subscription(setup.customerId, subscriptionId);
  if (!current) throw new Error('no subscription');
  await app.services.customerData.commit(setup.customerId, {
    subscriptions: [{ value: { ...current.value, assignedQuantity: assigned }, etag: current.etag }],
  });
}

beforeAll(async () => {
  app = await createTestApp({ PARTNER_NAME: 'Fabrikam Cloud Services' }, { clock });
  const partner = await app.tokens.partnerAdmin();
  resellerId = (
    await app.call('POST', '/api/resellers', {
      token: partner,
      body: { name: 'Northwind VAR', contactEmail: 'var@northwind.example' },
    })
  ).body.id;
  owned = await setupCustomer(app, { name: 'Owned Co', resellerId });
  direct = await setupCustomer(app, { name: 'Direct Co' });
  // Owned: Premium ×10 (7 assigned), Basic ×5 (5 assigned), raised to 8 in October; Direct: Premium ×3 (1 assigned).
  const premium = (await bought(app, owned, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
  const basic = (await bought(app, owned, { productId: BUSINESS_BASIC, quantity: 5 })).id;
  const directPremium = (await bought(app, direct, { productId: BUSINESS_PREMIUM, quantity: 3 })).id;
  clock.set('2026-10-05T09:00:00Z');
  expect((await changeOf(app, owned, basic, { kind: 'quantity', quantity: 8, effective: 'immediately' })).status).toBe(
    200,
  );
  await assign(owned, premium, 7);
  await assign(owned, basic, 5);
  await assign(direct, directPremium, 1);
  clock.set('2026-11-02T09:00:00Z');
});

describe('manual license counts', () => {
  it('shows computed counts read-only beside the manual ones', async () => {
    const view = await app.call('GET', `/api/license-counts/${PERIOD}`, { token: owned.partner });
    expect(view.status).toBe(200);
    expect(view.body.readOnly).toEqual(['productName', 'customers', 'subscriptions', 'seatsHeld', 'inUse']);
    const byId = Object.fromEntries(view.body.items.map((i: { productId: string }) => [i.productId, i]));
    expect(byId[BUSINESS_PREMIUM]).toMatchObject({
      customers: 2,
      subscriptions: 2,
      seatsHeld: 13,
      inUse: 8,
      manualCount: null,
    });
    expect(byId[BUSINESS_BASIC]).toMatchObject({
      customers: 1,
      subscriptions: 1,
      seatsHeld: 8,
      inUse: 5,
      manualCount: null,
    });
  });

  it('saves editable fields and refuses computed ones, naming the field', async () => {
    const url = `/api/license-counts/${PERIOD}`;
    const refused = await app.call('PUT', url, {
      token: owned.partner,
      body: { counts: [{ productId: BUSINESS_PREMIUM, manualCount: 4, seatsHeld: 99 }] },
    });
    expect(refused.status).toBe(400);
    expect(refused.body.errors).toEqual([
      expect.objectContaining({
        path: 'body.counts.0.seatsHeld',
        message: expect.stringContaining('seatsHeld is computed'),
      }),
    ]);
    const inUse = await app.call('PUT', url, {
      token: owned.partner,
      body: { counts: [{ productId: BUSINESS_PREMIUM, manualCount: 4, inUse: 1 }] },
    });
    expect(inUse.body.errors).toEqual([expect.objectContaining({ path: 'body.counts.0.inUse' })]);

    const saved = await app.call('PUT', url, {
      token: owned.partner,
      body: {
        counts: [
          { productId: BUSINESS_PREMIUM, manualCount: 4, note: 'Licenses sold outside the portal' },
          { productId: 'premium-software-assurance', name: 'Premium Software Assurance', manualCount: 12 },
        ],
      },
    });
    expect(saved.status).toBe(200);
    const items = Object.fromEntries(saved.body.items.map((i: { productId: string }) => [i.productId, i]));
    expect(items[BUSINESS_PREMIUM]).toMatchObject({
      seatsHeld: 13,
      manualCount: 4,
      note: 'Licenses sold outside the portal',
    });
    expect(items['premium-software-assurance']).toMatchObject({
      productName: 'Premium Software Assurance',
      seatsHeld: 0,
      manualCount: 12,
    });

    // Once saved, a change needs the ETag; a stale one is refused.
    expect((await app.call('PUT', url, { token: owned.partner, body: { counts: [] } })).status).toBe(428);
    expect(
      (await app.call('PUT', url, { token: owned.partner, body: { counts: [] }, headers: { 'if-match': 'W/"stale"' } }))
        .status,
    ).toBe(412);
    const etag = saved.headers.get('etag') as string;
    expect((await app.call('GET', url, { token: owned.partner })).headers.get('etag')).toBe(etag);
    expect(
      (await app.call('PUT', url, { token: owned.admin, body: { counts: [] }, headers: { 'if-match': etag } })).status,
    ).toBe(403);
    expect(
      (
        await app.call('PUT', url, {
          token: owned.partner,
          body: {
            counts: [
              { productId: 'x', manualCount: 1 },
              { productId: 'x', manualCount: 2 },
            ],
          },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(400);
  });
});

describe('bundles allocated vs used', () => {
  it('lists per customer the products allocated and used', async () => {
    const view = await app.call('GET', `/api/reports/bundles?period=${PERIOD}`, { token: owned.partner });
    expect(view.status).toBe(200);
    const of = (id: string) => view.body.items.find((i: { customerId: string }) => i.customerId === id);
    expect(of(owned.customerId)).toMatchObject({ resellerId, allocated: 18, used: 12 });
    expect(of(direct.customerId)).toMatchObject({
      allocated: 3,
      used: 1,
      bundles: [expect.objectContaining({ productId: BUSINESS_PREMIUM, allocated: 3, used: 1 })],
    });
    // September: Basic still 5 seats.
    const september = await app.call('GET', '/api/reports/bundles?period=2026-09', { token: owned.partner });
    expect(september.body.items.find((i: { customerId: string }) => i.customerId === owned.customerId)).toMatchObject({
      allocated: 15,
    });
    expect((await app.call('GET', '/api/reports/bundles?period=2026-13', { token: owned.partner })).status).toBe(400);
  });
});

describe('provider reports', () => {
  it('writes the three files, lists them with links, and each validates or reads back', async () => {
    const url = `/api/reports/provider/${PERIOD}`;
    expect((await app.call('GET', url, { token: owned.partner })).body.items).toEqual([]);
    const generated = await app.call('POST', url, { token: owned.partner });
    expect(generated.status).toBe(200);
    expect(generated.body.files.map((f: { name: string; status: string }) => [f.name, f.status])).toEqual([
      [`${PERIOD}/provider/subscription-usage.xlsx`, 'created'],
      [`${PERIOD}/provider/license-report.xml`, 'created'],
      [`${PERIOD}/provider/allocation-report.xml`, 'created'],
    ]);
    // The same figures again: nothing changes.
    const again = await app.call('POST', url, { token: owned.partner });
    expect(again.body.files.map((f: { status: string }) => f.status)).toEqual(['unchanged', 'unchanged', 'unchanged']);

    clock.set(new Date().toISOString());
    const list = await app.call('GET', url, { token: owned.partner });
    expect(list.body.items).toHaveLength(3);
    const files: Record<string, Uint8Array> = {};
    for (const item of list.body.items as { kind: string; sha256: string; download: { url: string } }[]) {
      const response = await fetch(item.download.url);
      expect(response.status).toBe(200);
      files[item.kind] = new Uint8Array(await response.arrayBuffer());
      expect(sha256(files[item.kind] as Uint8Array)).toBe(item.sha256);
    }

    const license = await validateAgainst('license-report.xsd', files.licenseReport as Uint8Array);
    expect(license.errors).toEqual([]);
    const licenseText = new TextDecoder().decode(files.licenseReport);
    expect(licenseText).toMatch(
      new RegExp(
        `<product id="${BUSINESS_PREMIUM}">[\\s\\S]*?<seatsHeld>13</seatsHeld>\\s*<inUse>8</inUse>\\s*<manualCount>4</manualCount>`,
      ),
    );
    expect(licenseText).toContain('<totals products="3" seatsHeld="21" inUse="13" manualCount="16"/>');

    const allocation = await validateAgainst('allocation-report.xsd', files.allocationReport as Uint8Array);
    expect(allocation.errors).toEqual([]);
    const allocationText = new TextDecoder().decode(files.allocationReport);
    expect(allocationText).toMatch(
      new RegExp(
        `<reseller id="${resellerId}">\\s*<name>Northwind VAR</name>[\\s\\S]*?<customer id="${owned.customerId}">[\\s\\S]*?</reseller>`,
      ),
    );
    expect(allocationText).toMatch(
      new RegExp(`<direct>[\\s\\S]*<customer id="${direct.customerId}">[\\s\\S]*</direct>`),
    );
    expect(allocationText).toContain('<totals customers="2" allocated="21" used="13"/>\n</allocationReport>');
    expect(
      (await validateAgainst('allocation-report.xsd', allocationText.replace('<allocated>', '<allocated>-'))).valid,
    ).toBe(false);

    const workbook = await readWorkbook(files.subscriptionUsage as Uint8Array);
    const sheet = workbook.getWorksheet('Subscription usage');
    const rows: unknown[][] = [];
    sheet?.eachRow((row, n) => {
      if (n > 4) rows.push((row.values as unknown[]).slice(1));
    });
    expect(rows).toContainEqual([
      '2026-10',
      'Microsoft 365 Business Premium',
      BUSINESS_PREMIUM,
      2,
      2,
      13,
      8,
      4,
      'Licenses sold outside the portal',
    ]);
    expect(rows).toContainEqual(['2026-09', 'Microsoft 365 Business Basic', BUSINESS_BASIC, 1, 1, 5]);
    expect(rows).toContainEqual([
      '2026-10',
      'Premium Software Assurance',
      'premium-software-assurance',
      0,
      0,
      0,
      undefined,
      12,
    ]);
    expect(sheet?.autoFilter).toMatch(/^A4:I\d+$/);
  });

  it('replaces a report when the figures change, and says so', async () => {
    const url = `/api/license-counts/${PERIOD}`;
    const etag = (await app.call('GET', url, { token: owned.partner })).headers.get('etag') as string;
    expect(
      (
        await app.call('PUT', url, {
          token: owned.partner,
          body: { counts: [{ productId: BUSINESS_PREMIUM, manualCount: 5 }] },
          headers: { 'if-match': etag },
        })
      ).status,
    ).toBe(200);
    const generated = await app.call('POST', `/api/reports/provider/${PERIOD}`, { token: owned.partner });
    expect(generated.body.files.map((f: { kind: string; status: string }) => `${f.kind} ${f.status}`)).toEqual([
      'subscriptionUsage replaced',
      'licenseReport replaced',
      'allocationReport unchanged',
    ]);
  });
});
