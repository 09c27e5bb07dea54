import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { billingPeriodContaining, date, type BillingFrequency, type PlainDate } from '../../../src/domain/calendar.ts';
import { dec, money, roundLine } from '../../../src/domain/money.ts';
import { monthlyCost, proratedAmount, proratedChange } from '../../../src/domain/proration.ts';

describe('proratedChange: seats × price × days(d, pe) / days(ps, pe), rounded once', () => {
  it.each([
    // start, frequency, price, currency, seats, effective d, [ps, pe), amount   — worked out by hand
    ['2026-03-01', 'monthly', '22.00', 'USD', 5, '2026-03-04', '2026-03-01', '2026-04-01', '99.35'], // 110 × 28/31 = 99.3548
    ['2026-03-01', 'monthly', '22.00', 'USD', -5, '2026-03-04', '2026-03-01', '2026-04-01', '-99.35'], // the refund mirrors it
    ['2026-03-01', 'monthly', '22.00', 'USD', 5, '2026-03-01', '2026-03-01', '2026-04-01', '110.00'], // 110 × 31/31
    ['2026-03-01', 'monthly', '31.00', 'USD', 10, '2026-03-31', '2026-03-01', '2026-04-01', '10.00'], // 310 × 1/31
    ['2026-01-31', 'monthly', '12.50', 'USD', 2, '2026-02-14', '2026-01-31', '2026-02-28', '12.50'], // 25 × 14/28
    ['2026-01-31', 'monthly', '31.00', 'EUR', 1, '2026-03-10', '2026-02-28', '2026-03-31', '21.00'], // 31 × 21/31
    ['2026-01-31', 'monthly', '9.99', 'USD', 1, '2026-02-28', '2026-02-28', '2026-03-31', '9.99'], // period end = next period's start
    ['2026-02-01', 'monthly', '20.00', 'USD', 3, '2026-02-20', '2026-02-01', '2026-03-01', '19.29'], // 60 × 9/28 = 19.2857
    ['2028-02-01', 'monthly', '20.00', 'USD', 3, '2028-02-20', '2028-02-01', '2028-03-01', '20.69'], // leap: 60 × 10/29 = 20.6897
    ['2028-01-31', 'monthly', '29.00', 'USD', 1, '2028-02-15', '2028-01-31', '2028-02-29', '14.00'], // 29 × 14/29
    ['2028-01-31', 'monthly', '29.00', 'USD', 1, '2028-03-15', '2028-02-29', '2028-03-31', '14.97'], // 29 × 16/31 = 14.9677
    ['2026-06-01', 'monthly', '0.99', 'USD', 1, '2026-06-16', '2026-06-01', '2026-07-01', '0.50'], // 0.99 × 15/30 = 0.495, tie up
    ['2026-06-01', 'monthly', '0.99', 'USD', -1, '2026-06-16', '2026-06-01', '2026-07-01', '-0.50'], // -0.495, tie away from zero
    ['2027-06-15', 'annual', '264.00', 'USD', 3, '2027-12-15', '2027-06-15', '2028-06-15', '396.00'], // 792 × 183/366
    ['2026-06-15', 'annual', '365.00', 'GBP', 1, '2026-12-15', '2026-06-15', '2027-06-15', '182.00'], // 365 × 182/365
    ['2024-02-29', 'annual', '730.00', 'USD', 1, '2025-03-01', '2025-02-28', '2026-02-28', '728.00'], // 730 × 364/365
    ['2026-01-01', 'triennial', '1096.00', 'USD', 1, '2028-01-01', '2026-01-01', '2029-01-01', '366.00'], // 1096 × 366/1096
    ['2026-04-01', 'monthly', '1000', 'JPY', 7, '2026-04-11', '2026-04-01', '2026-05-01', '4667'], // 7000 × 20/30 = 4666.67
    ['2026-04-01', 'monthly', '1000', 'JPY', -7, '2026-04-11', '2026-04-01', '2026-05-01', '-4667'],
  ] as const)(
    'from %s %s, %s %s × %i seats on %s: [%s, %s) → %s',
    (start, frequency, price, currency, seats, effective, ps, pe, amount) => {
      const result = proratedChange({
        subscriptionStart: date(start),
        frequency,
        unitPrice: dec(price),
        currency,
        seatChange: seats,
        effective: date(effective),
      });
      expect([result.period.start.toString(), result.period.end.toString()]).toEqual([ps, pe]);
      expect(money(result.amount, currency).amount).toBe(amount);
    },
  );
});

describe('proratedAmount', () => {
  const march = { start: date('2026-03-01'), end: date('2026-04-01') };

  it('is unrounded: 5 × 22.00 × 28/31 = 3080/31', () => {
    expect(proratedAmount(5, dec('22.00'), date('2026-03-04'), march).times(31).toFixed(10)).toBe('3080.0000000000');
  });

  it('throws for a date before the period', () => {
    expect(() => proratedAmount(1, dec('22.00'), date('2026-02-28'), march)).toThrow(RangeError);
  });

  it('throws for a date after the period', () => {
    expect(() => proratedAmount(1, dec('22.00'), date('2026-04-02'), march)).toThrow(RangeError);
  });

  it('throws for the period end itself: the period is half-open', () => {
    expect(() => proratedAmount(1, dec('22.00'), date('2026-04-01'), march)).toThrow(RangeError);
  });
});

describe('monthlyCost', () => {
  it.each([
    [10, '22.00', 'monthly', 'USD', '220.00'],
    [3, '264.00', 'annual', 'USD', '66.00'], // 792 / 12
    [1, '100.00', 'annual', 'USD', '8.33'], // 8.3333
    [5, '100.00', 'annual', 'EUR', '41.67'], // 41.6667
    [1, '0.30', 'annual', 'USD', '0.03'], // 0.025, tie up
    [2, '1000.00', 'triennial', 'USD', '55.56'], // 2000 / 36 = 55.5556
    [1, '12000', 'annual', 'JPY', '1000'],
    [1, '1000', 'annual', 'JPY', '83'], // 83.33
    [0, '22.00', 'monthly', 'USD', '0.00'],
  ] as const)('%i × %s billed %s (%s) costs %s a month', (quantity, price, frequency, currency, expected) => {
    expect(money(monthlyCost(quantity, dec(price), frequency, currency), currency).amount).toBe(expected);
  });
});

// --- Properties, against an oracle in integer minor units (BigInt) and days counted with Date.UTC.

const msPerDay = 86_400_000;
const epoch2000 = Date.UTC(2000, 0, 1);
const lastDay2100 = (Date.UTC(2100, 11, 31) - epoch2000) / msPerDay;

function dayAfter2000(offset: number): PlainDate {
  return date(new Date(epoch2000 + offset * msPerDay).toISOString().slice(0, 10));
}

function utcDays(day: PlainDate): number {
  return Date.UTC(day.year, day.month - 1, day.day) / msPerDay;
}

/** numerator / denominator rounded half-up, away from zero (denominator > 0). */
function halfUp(numerator: bigint, denominator: bigint): bigint {
  const magnitude = (2n * (numerator < 0n ? -numerator : numerator) + denominator) / (2n * denominator);
  return numerator < 0n ? -magnitude : magnitude;
}

/** Minor units as a decimal string: (-5n, 2) → "-0.05". */
function shown(minor: bigint, decimals: number): string {
  const digits = (minor < 0n ? -minor : minor).toString().padStart(decimals + 1, '0');
  const body = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return minor < 0n ? `-${body}` : body;
}

const decimalsOf = { USD: 2, JPY: 0 } as const;

/** A subscription start, a billing period of it (within ten years) and a day d inside that period. */
const periodAndDay = fc
  .record({
    startOffset: fc.integer({ min: 0, max: lastDay2100 }),
    after: fc.integer({ min: 0, max: 3_652 }),
    frequency: fc.constantFrom<BillingFrequency>('monthly', 'annual', 'triennial'),
    position: fc.double({ min: 0, max: 1, maxExcluded: true, noNaN: true }),
  })
  .map(({ startOffset, after, frequency, position }) => {
    const start = dayAfter2000(startOffset);
    const period = billingPeriodContaining(start, frequency, dayAfter2000(startOffset + after));
    const whole = utcDays(period.end) - utcDays(period.start);
    const d = period.start.add({ days: Math.floor(position * whole) });
    return { start, frequency, period, whole, d, remaining: utcDays(period.end) - utcDays(d) };
  });

const offer = fc.record({
  priceMinor: fc.integer({ min: 0, max: 10_000_000 }),
  seats: fc.integer({ min: 1, max: 10_000 }),
  currency: fc.constantFrom<keyof typeof decimalsOf>('USD', 'JPY'),
});

describe('proration properties', () => {
  it('seats added on the period start cost exactly the cycle fee', () => {
    fc.assert(
      fc.property(periodAndDay, offer, ({ period }, { priceMinor, seats, currency }) => {
        const decimals = decimalsOf[currency];
        const price = dec(shown(BigInt(priceMinor), decimals));
        const charge = roundLine(proratedAmount(seats, price, period.start, period), currency);
        expect(charge.toFixed(decimals)).toBe(shown(BigInt(priceMinor) * BigInt(seats), decimals));
      }),
    );
  });

  it('matches the integer oracle: round-half-up(priceMinor × seats × days(d, pe) / days(ps, pe))', () => {
    fc.assert(
      fc.property(
        periodAndDay,
        offer,
        fc.boolean(),
        ({ start, frequency, whole, d, remaining }, { priceMinor, seats, currency }, refund) => {
          const decimals = decimalsOf[currency];
          const seatChange = refund ? -seats : seats;
          const { amount } = proratedChange({
            subscriptionStart: start,
            frequency,
            unitPrice: dec(shown(BigInt(priceMinor), decimals)),
            currency,
            seatChange,
            effective: d,
          });
          const expected = halfUp(BigInt(priceMinor) * BigInt(seatChange) * BigInt(remaining), BigInt(whole));
          expect(money(amount, currency).amount).toBe(shown(expected, decimals));
        },
      ),
    );
  });

  it('a refund of the same seats on the same day cancels the charge exactly (half-up is symmetric)', () => {
    fc.assert(
      fc.property(periodAndDay, offer, ({ period, d }, { priceMinor, seats, currency }) => {
        const price = dec(shown(BigInt(priceMinor), decimalsOf[currency]));
        const charge = roundLine(proratedAmount(seats, price, d, period), currency);
        const refund = roundLine(proratedAmount(-seats, price, d, period), currency);
        expect(charge.plus(refund).isZero()).toBe(true);
      }),
    );
  });

  it('the rounded parts [ps, d) and [d, pe) add up to the cycle fee within one minor unit', () => {
    fc.assert(
      fc.property(periodAndDay, offer, ({ period, d }, { priceMinor, seats, currency }) => {
        const decimals = decimalsOf[currency];
        const price = dec(shown(BigInt(priceMinor), decimals));
        const wholeAmount = proratedAmount(seats, price, period.start, period);
        const fromD = proratedAmount(seats, price, d, period);
        const beforeD = wholeAmount.minus(fromD);
        const parts = roundLine(beforeD, currency).plus(roundLine(fromD, currency));
        const fee = dec(shown(BigInt(priceMinor) * BigInt(seats), decimals));
        const unit = dec(1).dividedBy(10 ** decimals);
        expect(parts.minus(fee).abs().lte(unit)).toBe(true);
      }),
    );
  });

  it('monthlyCost is price × quantity / months per period, rounded once', () => {
    const months = { monthly: 1n, annual: 12n, triennial: 36n } as const;
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom<BillingFrequency>('monthly', 'annual', 'triennial'),
        (priceMinor, quantity, frequency) => {
          const cost = monthlyCost(quantity, dec(shown(BigInt(priceMinor), 2)), frequency, 'USD');
          expect(money(cost, 'USD').amount).toBe(
            shown(halfUp(BigInt(priceMinor) * BigInt(quantity), months[frequency]), 2),
          );
        },
      ),
    );
  });
});
