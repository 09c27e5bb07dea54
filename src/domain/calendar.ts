import { Temporal } from 'temporal-polyfill';
import { z } from 'zod';

/**
 * UTC calendar dates (YYYY-MM-DD). Periods are half-open [start, end). Every billing period is computed from
 * the subscription's start date, never chained from the previous period, so month-end starts stay anchored.
 */
export type PlainDate = Temporal.PlainDate;
export const isoDateSchema = z.iso.date();

export const terms = ['P1M', 'P1Y', 'P3Y'] as const;
export type Term = (typeof terms)[number];
export const billingFrequencies = ['monthly', 'annual', 'triennial'] as const;
export type BillingFrequency = (typeof billingFrequencies)[number];

const termMonths: Record<Term, number> = { P1M: 1, P1Y: 12, P3Y: 36 };
const frequencyMonths: Record<BillingFrequency, number> = { monthly: 1, annual: 12, triennial: 36 };

/** The billing frequencies Microsoft offers for each term. */
export const frequenciesOf: Record<Term, readonly BillingFrequency[]> = {
  P1M: ['monthly'],
  P1Y: ['monthly', 'annual'],
  P3Y: ['monthly', 'annual', 'triennial'],
};

export function isValidTermFrequency(term: Term, frequency: BillingFrequency): boolean {
  return frequenciesOf[term].includes(frequency);
}

export function date(iso: string): PlainDate {
  return Temporal.PlainDate.from(iso, { overflow: 'reject' });
}

/** The UTC calendar date of an instant. */
export function utcDate(instant: Date): PlainDate {
  return date(instant.toISOString().slice(0, 10));
}

/** Midnight UTC at the start of a date. */
export function startOfDayUtc(day: PlainDate): Date {
  return new Date(`${day.toString()}T00:00:00.000Z`);
}

/** Calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: PlainDate, to: PlainDate): number {
  return from.until(to, { largestUnit: 'day' }).days;
}

// NOTE: adding months clamps the day to the month's end (2026-01-31 + 1 month = 2026-02-28); it is always
// applied to the original start, so the next period after 2026-02-28 is 2026-03-31, not 2026-03-28.
export function addMonthsFrom(start: PlainDate, months: number): PlainDate {
  return start.add({ months });
}

export function termEnd(start: PlainDate, term: Term, termsElapsed = 1): PlainDate {
  return addMonthsFrom(start, termMonths[term] * termsElapsed);
}

/** The billing period of a subscription that contains `day`: [start + n periods, start + (n+1) periods). */
export function billingPeriodContaining(
  start: PlainDate,
  frequency: BillingFrequency,
  day: PlainDate,
): { start: PlainDate; end: PlainDate } {
  if (Temporal.PlainDate.compare(day, start) < 0)
    throw new RangeError(`${day.toString()} is before the subscription start ${start.toString()}`);
  const step = frequencyMonths[frequency];
  const elapsed = start.until(day, { largestUnit: 'month' }).months;
  let n = Math.floor(elapsed / step);
  // Clamped month ends can make the estimate one period too far or too short; settle it against the dates.
  while (n > 0 && Temporal.PlainDate.compare(addMonthsFrom(start, n * step), day) > 0) n -= 1;
  while (Temporal.PlainDate.compare(addMonthsFrom(start, (n + 1) * step), day) <= 0) n += 1;
  return { start: addMonthsFrom(start, n * step), end: addMonthsFrom(start, (n + 1) * step) };
}

export function compareDates(a: PlainDate, b: PlainDate): number {
  return Temporal.PlainDate.compare(a, b);
}

export function monthsPerPeriod(frequency: BillingFrequency): number {
  return frequencyMonths[frequency];
}
