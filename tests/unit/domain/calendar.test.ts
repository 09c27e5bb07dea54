import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  addMonthsFrom,
  billingPeriodContaining,
  date,
  daysBetween,
  monthsPerPeriod,
  termEnd,
  utcDate,
  type BillingFrequency,
  type PlainDate,
  type Term,
} from '../../../src/domain/calendar.ts';

/** A period as two ISO strings, so that failures print readable dates. */
function periodOf(start: string, frequency: BillingFrequency, day: string): [string, string] {
  const period = billingPeriodContaining(date(start), frequency, date(day));
  return [period.start.toString(), period.end.toString()];
}

describe('date', () => {
  it.each(['2026-01-31', '2024-02-29', '2100-12-31'])('accepts %s', (iso) => expect(date(iso).toString()).toBe(iso));

  it.each(['2026-02-30', '2025-02-29', '2100-02-29', '2026-04-31', '2026-13-01', '2026-00-10'])('rejects %s', (iso) => {
    expect(() => date(iso)).toThrow(RangeError);
  });
});

describe('utcDate', () => {
  it.each([
    ['2026-03-10T23:59:59.999Z', '2026-03-10'],
    ['2026-03-11T00:00:00.000Z', '2026-03-11'],
    ['2026-03-10T23:30:00-02:00', '2026-03-11'],
  ])('%s is the UTC date %s', (instant, day) => expect(utcDate(new Date(instant)).toString()).toBe(day));
});

describe('daysBetween: calendar days of [from, to)', () => {
  it.each([
    ['2026-09-10', '2026-10-10', 30],
    ['2026-03-01', '2026-04-01', 31],
    ['2026-02-01', '2026-03-01', 28],
    ['2028-02-01', '2028-03-01', 29],
    ['2026-02-28', '2026-03-31', 31],
    ['2026-06-15', '2027-06-15', 365],
    ['2027-06-15', '2028-06-15', 366],
    ['2024-02-29', '2025-02-28', 365],
    ['2026-01-01', '2029-01-01', 1096],
    ['2026-05-05', '2026-05-05', 0],
    ['2026-10-10', '2026-09-10', -30],
  ])('[%s, %s) has %i days', (from, to, days) => expect(daysBetween(date(from), date(to))).toBe(days));
});

describe('addMonthsFrom: always from the original start, clamped to the month end', () => {
  it.each([
    [0, '2026-01-31'],
    [1, '2026-02-28'],
    [2, '2026-03-31'],
    [3, '2026-04-30'],
    [4, '2026-05-31'],
    [5, '2026-06-30'],
    [8, '2026-09-30'],
    [11, '2026-12-31'],
    [12, '2027-01-31'],
    [25, '2028-02-29'],
  ])('2026-01-31 + %i months = %s', (months, expected) => {
    expect(addMonthsFrom(date('2026-01-31'), months).toString()).toBe(expected);
  });
});

describe('monthly billing periods', () => {
  it.each([
    // start, day, [period start, period end)
    ['2026-01-31', '2026-01-31', '2026-01-31', '2026-02-28'],
    ['2026-01-31', '2026-02-27', '2026-01-31', '2026-02-28'],
    ['2026-01-31', '2026-02-28', '2026-02-28', '2026-03-31'],
    ['2026-01-31', '2026-03-28', '2026-02-28', '2026-03-31'],
    ['2026-01-31', '2026-03-30', '2026-02-28', '2026-03-31'],
    ['2026-01-31', '2026-03-31', '2026-03-31', '2026-04-30'],
    ['2026-01-31', '2026-04-30', '2026-04-30', '2026-05-31'],
    ['2026-01-30', '2026-02-28', '2026-02-28', '2026-03-30'],
    ['2028-01-31', '2028-02-29', '2028-02-29', '2028-03-31'],
    ['2026-03-01', '2026-03-31', '2026-03-01', '2026-04-01'],
    ['2026-03-01', '2026-04-01', '2026-04-01', '2026-05-01'],
    ['2024-02-29', '2025-02-28', '2025-02-28', '2025-03-29'],
    ['2024-02-29', '2025-03-28', '2025-02-28', '2025-03-29'],
  ])('from %s, %s is in [%s, %s)', (start, day, periodStart, periodEnd) => {
    expect(periodOf(start, 'monthly', day)).toEqual([periodStart, periodEnd]);
  });

  it('does not chain from a clamped end: after [2026-02-28, …) the next period starts 2026-03-31, not 2026-03-28', () => {
    expect(periodOf('2026-01-31', 'monthly', '2026-03-28')).toEqual(['2026-02-28', '2026-03-31']);
  });
});

describe('annual and triennial billing periods', () => {
  it.each([
    ['2027-06-15', 'annual', '2027-06-15', '2027-06-15', '2028-06-15'],
    ['2027-06-15', 'annual', '2028-06-14', '2027-06-15', '2028-06-15'],
    ['2027-06-15', 'annual', '2028-06-15', '2028-06-15', '2029-06-15'],
    ['2024-02-29', 'annual', '2025-02-27', '2024-02-29', '2025-02-28'],
    ['2024-02-29', 'annual', '2025-02-28', '2025-02-28', '2026-02-28'],
    ['2024-02-29', 'annual', '2028-02-28', '2027-02-28', '2028-02-29'],
    ['2024-02-29', 'annual', '2028-02-29', '2028-02-29', '2029-02-28'],
    ['2024-02-29', 'triennial', '2027-02-27', '2024-02-29', '2027-02-28'],
    ['2024-02-29', 'triennial', '2027-03-01', '2027-02-28', '2030-02-28'],
    ['2026-01-01', 'triennial', '2028-12-31', '2026-01-01', '2029-01-01'],
  ] as const)('from %s %s, %s is in [%s, %s)', (start, frequency, day, periodStart, periodEnd) => {
    expect(periodOf(start, frequency, day)).toEqual([periodStart, periodEnd]);
  });

  it('a leap-day annual start is anchored on 2024-02-29: 2025-02-28, 2026-02-28, 2027-02-28, 2028-02-29', () => {
    const ends = [12, 24, 36, 48].map((months) => addMonthsFrom(date('2024-02-29'), months).toString());
    expect(ends).toEqual(['2025-02-28', '2026-02-28', '2027-02-28', '2028-02-29']);
  });
});

describe('billingPeriodContaining before the start', () => {
  it('throws for the day before the start', () => {
    expect(() => billingPeriodContaining(date('2026-03-01'), 'monthly', date('2026-02-28'))).toThrow(RangeError);
  });

  it('throws for a day years before an annual start', () => {
    expect(() => billingPeriodContaining(date('2027-06-15'), 'annual', date('2025-06-15'))).toThrow(RangeError);
  });
});

describe('termEnd', () => {
  it.each([
    ['2026-03-15', 'P1M', 1, '2026-04-15'],
    ['2026-01-31', 'P1M', 1, '2026-02-28'],
    ['2026-01-31', 'P1M', 2, '2026-03-31'],
    ['2027-06-15', 'P1Y', 1, '2028-06-15'],
    ['2024-02-29', 'P1Y', 1, '2025-02-28'],
    ['2024-02-29', 'P1Y', 4, '2028-02-29'],
    ['2026-05-31', 'P3Y', 1, '2029-05-31'],
    ['2024-02-29', 'P3Y', 1, '2027-02-28'],
  ] as const)('%s + %s × %i = %s', (start, term: Term, terms, expected) => {
    expect(termEnd(date(start), term, terms).toString()).toBe(expected);
  });

  it('counts one term by default', () => {
    expect(termEnd(date('2026-08-31'), 'P1M').toString()).toBe('2026-09-30');
  });
});

describe('monthsPerPeriod', () => {
  it.each([
    ['monthly', 1],
    ['annual', 12],
    ['triennial', 36],
  ] as const)('%s has %i months', (frequency, months) => expect(monthsPerPeriod(frequency)).toBe(months));
});

// --- Properties, against a date oracle written with integer arithmetic and Date.UTC only.

const msPerDay = 86_400_000;
const epoch2000 = Date.UTC(2000, 0, 1);
const lastDay2100 = (Date.UTC(2100, 11, 31) - epoch2000) / msPerDay;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

function daysInMonth(year: number, month: number): number {
  if (month === 2) return isLeap(year) ? 29 : 28;
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

function isoOf(year: number, month: number, day: number): string {
  return `${String(year).padStart(4, '0')}-${String(month).padStart(2, '0')}-${String(day).padStart(2, '0')}`;
}

/** The day `offset` days after 2000-01-01. */
function dayAfter2000(offset: number): PlainDate {
  return date(new Date(epoch2000 + offset * msPerDay).toISOString().slice(0, 10));
}

/** start + months with the start's day clamped to the target month's length. */
function anchoredIso(start: PlainDate, months: number): string {
  const index = start.year * 12 + (start.month - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return isoOf(year, month, Math.min(start.day, daysInMonth(year, month)));
}

function utcDays(day: PlainDate): number {
  return Date.UTC(day.year, day.month - 1, day.day) / msPerDay;
}

const frequency = fc.constantFrom<BillingFrequency>('monthly', 'annual', 'triennial');
const startAndDay = fc
  .record({
    startOffset: fc.integer({ min: 0, max: lastDay2100 }),
    after: fc.integer({ min: 0, max: 3_652 }),
    frequency,
  })
  .map(({ startOffset, after, frequency }) => ({
    start: dayAfter2000(startOffset),
    day: dayAfter2000(startOffset + after),
    frequency,
  }));

describe('calendar properties', () => {
  it('addMonthsFrom agrees with the clamped-month oracle', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: lastDay2100 }), fc.integer({ min: 0, max: 240 }), (offset, months) => {
        const start = dayAfter2000(offset);
        expect(addMonthsFrom(start, months).toString()).toBe(anchoredIso(start, months));
      }),
    );
  });

  it('billingPeriodContaining returns [start + n periods, start + (n+1) periods) with start <= day < end', () => {
    fc.assert(
      fc.property(startAndDay, ({ start, day, frequency }) => {
        const period = billingPeriodContaining(start, frequency, day);
        expect(period.start.toString() <= day.toString()).toBe(true);
        expect(day.toString() < period.end.toString()).toBe(true);

        const step = monthsPerPeriod(frequency);
        const n = Array.from({ length: 130 }, (_, i) => i).find((i) =>
          addMonthsFrom(start, i * step).equals(period.start),
        );
        expect(n).toBeDefined();
        expect(period.start.toString()).toBe(anchoredIso(start, (n ?? 0) * step));
        expect(period.end.toString()).toBe(anchoredIso(start, ((n ?? 0) + 1) * step));
      }),
    );
  });

  it('periods tile: the period containing an end date starts on that end date', () => {
    fc.assert(
      fc.property(startAndDay, ({ start, day, frequency }) => {
        const period = billingPeriodContaining(start, frequency, day);
        expect(billingPeriodContaining(start, frequency, period.end).start.equals(period.end)).toBe(true);
      }),
    );
  });

  it('daysBetween counts the same days as Date.UTC', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: lastDay2100 }), fc.integer({ min: 0, max: lastDay2100 }), (a, b) => {
        const from = dayAfter2000(a);
        const to = dayAfter2000(b);
        expect(daysBetween(from, to)).toBe(utcDays(to) - utcDays(from));
      }),
    );
  });
});
