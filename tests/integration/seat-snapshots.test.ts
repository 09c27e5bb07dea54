import { beforeAll, describe, expect, it } from 'vitest';
import { snapshotSeats } from '../../src/app/licenses/snapshot-seats.ts';
import { customerMonths } from '../../src/app/reports/license-usage.ts';
import { jobs } from '../../src/jobs/jobs.ts';
import { testClock } from '../support/clock.ts';
import { createTestApp, type TestApp } from '../support/test-app.ts';
import { BUSINESS_PREMIUM, bought, setupCustomer, type CustomerSetup } from '../support/subscription-builders.ts';

/**
 * F-REPORTS: a daily snapshot of each customer's purchased and assigned seats, so that "licenses in use" has a
 * history for past months (the mirror only knows today).
 */
const clock = testClock('2026-03-20T09:00:00Z');
let app: TestApp;
let setup: CustomerSetup;
let premium: string;

beforeAll(async () => {
  app = await createTestApp({}, { clock });
  setup = await setupCustomer(app, { billingDay: 1, name: 'Snapshot Corp' });
  premium = (await bought(app, setup, { productId: BUSINESS_PREMIUM, quantity: 10 })).id;
});

describe('daily seat snapshots', () => {
  it('is a daily timer in the job table', () => {
    expect(jobs.find((j) => j.name === 'seatSnapshots')).toMatchObject({ kind: 'timer', schedule: '0 50 23 * * *' });
  });

  it('stores each customer’s purchased and assigned seats of the day, once per day', async () => {
    const result = await snapshotSeats(app.services);
    expect(result.date).toBe('2026-03-20');
    expect(result.customers).toBeGreaterThanOrEqual(1);
    // Taken again the same day: replaced, not added.
    await snapshotSeats(app.services);
    const march = (await app.services.seatSnapshots.monthly(setup.customerId, '2026-03', '2026-03')).get('2026-03');
    const mirror = (await app.services.customerData.subscription(setup.customerId, premium))?.value;
    expect(march).toEqual({
      customerId: setup.customerId,
      date: '2026-03-20',
      subscriptions: [
        {
          subscriptionId: premium,
          productId: BUSINESS_PREMIUM,
          productName: mirror?.productName,
          status: 'active',
          purchased: 10,
          assigned: mirror?.assignedQuantity,
        },
      ],
    });
  });

  it('gives license reports “in use” for past months from the month’s latest snapshot', async () => {
    // April: a snapshot with 7 of the 10 seats assigned on 04-10, and a later one with 8 on 04-28.
    for (const [date, assigned] of [
      ['2026-04-10', 7],
      ['2026-04-28', 8],
    ] as const)
      await app.services.seatSnapshots.save({
        customerId: setup.customerId,
        date,
        subscriptions: [
          {
            subscriptionId: premium,
            productId: BUSINESS_PREMIUM,
            productName: 'Microsoft 365 Business Premium',
            status: 'active',
            purchased: 10,
            assigned,
          },
        ],
      });
    clock.set('2026-06-02T09:00:00Z');
    const rows = (await customerMonths(app.services, ['2026-03', '2026-04', '2026-05'])).filter(
      (r) => r.customer.id === setup.customerId,
    );
    const usedIn = (month: string) => rows.find((r) => r.month === month)?.products[0]?.used;
    const mirror = (await app.services.customerData.subscription(setup.customerId, premium))?.value;
    expect(usedIn('2026-03')).toBe(Math.min(10, mirror?.assignedQuantity ?? 0));
    expect(usedIn('2026-04')).toBe(8);
    // May has no snapshot but is the latest month asked for: today's assignments.
    expect(usedIn('2026-05')).toBe(Math.min(10, mirror?.assignedQuantity ?? 0));
    // Without snapshots and not the latest month: unknown.
    const earlier = (await customerMonths(app.services, ['2026-02', '2026-05'])).find(
      (r) => r.customer.id === setup.customerId && r.month === '2026-02',
    );
    expect(earlier?.products).toEqual([]);
  });
});
