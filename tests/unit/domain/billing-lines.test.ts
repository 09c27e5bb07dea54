import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  subscriptionLines,
  usageLines,
  type LinePrice,
  type SubscriptionHistory,
} from '../../../src/domain/billing-lines.ts';
import { addMonthsFrom, date, daysBetween } from '../../../src/domain/calendar.ts';
import { dec, sum } from '../../../src/domain/money.ts';
import type { SubscriptionState } from '../../../src/domain/subscription.ts';
import type { UsageRecord } from '../../../src/domain/billing.ts';

const price =
  (unitPrice: string, currency = 'USD'): (() => Promise<LinePrice>) =>
  async () => ({ unitPrice: dec(unitPrice), currency, priceListId: 'global', source: 'global' });

function state(quantity: number, overrides: Partial<SubscriptionState> = {}): SubscriptionState {
  return {
    productId: 'CFQ7TTC0LCHC:0002',
    quantity,
    status: 'active',
    autoRenew: true,
    term: 'P1Y',
    billingFrequency: 'monthly',
    termStartDate: '2026-01-31',
    termEndDate: '2027-01-31',
    ...overrides,
  };
}

function history(events: [string, SubscriptionState][]): SubscriptionHistory {
  return {
    subscriptionId: 'sub-1',
    productName: 'Premium',
    events: events.map(([at, s], i) => ({ id: `e${i}`, at, state: s })),
  };
}

describe('subscriptionLines', () => {
  it('bills fees at each period start, from the start date, clamped at month ends', async () => {
    const lines = await subscriptionLines(
      history([['2026-01-31T10:00:00Z', state(3)]]),
      { from: '2026-01-01', to: '2026-05-01' },
      price('10.00'),
    );
    expect(lines.map((l) => `${l.chargeDate} ${l.periodEnd} ${l.amount}`)).toEqual([
      '2026-01-31 2026-02-28 30.00',
      '2026-02-28 2026-03-31 30.00',
      '2026-03-31 2026-04-30 30.00',
      '2026-04-30 2026-05-31 30.00',
    ]);
  });

  it('charges an increase from its day to the period end, and refunds a decrease the same way', async () => {
    const lines = await subscriptionLines(
      history([
        ['2026-01-31T10:00:00Z', state(3)],
        ['2026-02-10T10:00:00Z', state(5)],
        ['2026-02-12T10:00:00Z', state(4)],
      ]),
      { from: '2026-02-01', to: '2026-02-28' },
      price('10.00'),
    );
    // Period [01-31, 02-28) has 28 days: +2 × 10 × 18/28 = 12.86; −1 × 10 × 16/28 = −5.71.
    expect(lines.map((l) => `${l.kind} ${l.chargeDate} ${l.amount}`)).toEqual([
      'proRata 2026-02-10 12.86',
      'refund 2026-02-12 -5.71',
    ]);
  });

  it('folds changes on a period’s first day into its fee, and produces no line for seats removed at renewal', async () => {
    const renewed = state(2, { termStartDate: '2027-01-31', termEndDate: '2028-01-31' });
    const lines = await subscriptionLines(
      history([
        ['2026-01-31T10:00:00Z', state(3)],
        ['2026-01-31T11:00:00Z', state(6)],
        ['2027-01-31T00:30:00Z', renewed],
      ]),
      { from: '2026-01-31', to: '2026-02-01' },
      price('10.00'),
    );
    expect(lines.map((l) => `${l.kind} ${l.amount}`)).toEqual(['cycleFee 60.00']);
    const atRenewal = await subscriptionLines(
      history([
        ['2026-01-31T10:00:00Z', state(3)],
        ['2027-01-31T00:30:00Z', renewed],
      ]),
      { from: '2027-01-01', to: '2027-02-01' },
      price('10.00'),
    );
    expect(atRenewal.map((l) => `${l.kind} ${l.chargeDate} ${l.quantity} ${l.amount}`)).toEqual([
      'cycleFee 2027-01-31 2 20.00',
    ]);
  });

  it('keeps billing a suspended subscription, stops after cancellation and expiry', async () => {
    const lines = await subscriptionLines(
      history([
        ['2026-01-31T10:00:00Z', state(3)],
        ['2026-02-05T10:00:00Z', state(3, { status: 'suspended' })],
        ['2026-04-05T10:00:00Z', state(0, { status: 'deleted' })],
      ]),
      { from: '2026-01-01', to: '2026-06-01' },
      price('10.00'),
    );
    // The cancellation on 04-05 is refunded for 25 of the 30 days of [03-31, 04-30): −3 × 10 × 25/30 = −25.00.
    expect(lines.map((l) => `${l.kind} ${l.chargeDate} ${l.amount}`)).toEqual([
      'cycleFee 2026-01-31 30.00',
      'cycleFee 2026-02-28 30.00',
      'cycleFee 2026-03-31 30.00',
      'refund 2026-04-05 -25.00',
    ]);
  });

  it('bills an annual subscription once a year, billed monthly twelve times', async () => {
    const annual = await subscriptionLines(
      history([
        [
          '2027-06-15T08:00:00Z',
          state(2, { billingFrequency: 'annual', termStartDate: '2027-06-15', termEndDate: '2028-06-15' }),
        ],
      ]),
      { from: '2027-01-01', to: '2029-01-01' },
      price('264.00'),
    );
    expect(annual.map((l) => `${l.chargeDate} ${l.periodEnd} ${l.amount}`)).toEqual(['2027-06-15 2028-06-15 528.00']);
    const monthly = await subscriptionLines(
      history([['2027-06-15T08:00:00Z', state(2, { termStartDate: '2027-06-15', termEndDate: '2028-06-15' })]]),
      { from: '2027-01-01', to: '2029-01-01' },
      price('22.00'),
    );
    expect(monthly).toHaveLength(12);
    expect(sum(monthly.map((l) => dec(l.amount))).toFixed(2)).toBe('528.00');
  });

  it('gives the same ids for the same facts', async () => {
    const h = history([
      ['2026-01-31T10:00:00Z', state(3)],
      ['2026-02-10T10:00:00Z', state(5)],
    ]);
    const a = await subscriptionLines(h, { from: '2026-01-01', to: '2026-04-01' }, price('10.00'));
    const b = await subscriptionLines(h, { from: '2026-01-01', to: '2026-04-01' }, price('10.00'));
    expect(a.map((l) => l.id)).toEqual(b.map((l) => l.id));
    expect(new Set(a.map((l) => l.id)).size).toBe(a.length);
  });
});

describe('property: charges and refunds equal the seat-days held', () => {
  const currencies = [
    { code: 'USD', unit: '0.01' },
    { code: 'JPY', unit: '1' },
  ];

  it('for random histories within a billing period, within one rounding unit per line', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 0, max: 500 }).map((d) => addMonthsFrom(date('2024-01-31'), 0).add({ days: d })),
        fc.constantFrom<'monthly' | 'annual'>('monthly', 'annual'),
        fc.integer({ min: 1, max: 99999 }).map((cents) => (cents / 100).toFixed(2)),
        fc.constantFrom(...currencies),
        fc.integer({ min: 1, max: 50 }),
        fc.array(fc.tuple(fc.double({ min: 0.001, max: 0.999, noNaN: true }), fc.integer({ min: 0, max: 60 })), {
          maxLength: 8,
        }),
        async (start, frequency, unitPrice, currency, opening, changes) => {
          const months = frequency === 'monthly' ? 1 : 12;
          const end = addMonthsFrom(start, months);
          const length = daysBetween(start, end);
          const termEnd = addMonthsFrom(start, 12).toString();
          const base = { termStartDate: start.toString(), termEndDate: termEnd, billingFrequency: frequency } as const;
          const events: [string, SubscriptionState][] = [[`${start.toString()}T08:00:00Z`, state(opening, base)]];
          const days = changes
            .map(([at, quantity]) => ({ day: 1 + Math.floor(at * (length - 1)), quantity }))
            .sort((a, b) => a.day - b.day);
          days.forEach(({ day, quantity }, i) =>
            events.push([
              `${start.add({ days: day }).toString()}T${String(10 + (i % 10)).padStart(2, '0')}:00:00Z`,
              state(quantity, base),
            ]),
          );

          const lines = await subscriptionLines(
            history(events),
            { from: start.toString(), to: end.toString() },
            price(unitPrice, currency.code),
          );
          const billed = sum(lines.map((l) => dec(l.amount)));

          let seatDays = 0;
          for (let t = 0; t < length; t++) {
            const held = [...events].reverse().find(([at]) => at.slice(0, 10) <= start.add({ days: t }).toString());
            seatDays += held?.[1].quantity ?? 0;
          }
          const exact = dec(unitPrice).times(seatDays).dividedBy(length);
          expect(billed.minus(exact).abs().lessThanOrEqualTo(dec(currency.unit).times(lines.length))).toBe(true);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('usageLines', () => {
  const record = (date: string, meterId: string, cost: string): UsageRecord => ({
    customerId: '00000000-0000-4000-8000-000000000001',
    subscriptionId: 'azure-1',
    meterId,
    meterName: meterId,
    unitOfMeasure: '1 Hour',
    date,
    quantity: '1',
    cost,
    currency: 'USD',
    source: 'test',
  });

  it('sums a cycle’s raw daily costs per meter, applies the mark-up once and rounds once', () => {
    const records = [
      record('2026-03-01', 'vm', '1.234567'),
      record('2026-03-31', 'vm', '1.234567'),
      record('2026-04-01', 'vm', '9'),
      record('2026-03-05', 'disk', '0.004'),
    ];
    const lines = usageLines(records, { start: '2026-03-01', end: '2026-04-01' }, '10', 'USD');
    // vm: 2.469134 × 1.10 = 2.7160474 → 2.72; disk: 0.004 × 1.10 = 0.0044 → 0.00 (rounded once, not per day).
    expect(lines.map((l) => `${l.meterId} ${l.amount}`).sort()).toEqual(['disk 0.00', 'vm 2.72']);
  });
});
