import { Temporal } from 'temporal-polyfill';
import { compareDates, date, type PlainDate } from './calendar.ts';

/**
 * DESIGN rule 9: a customer's cycles run from its anchor day N (1-28, or the last day) of one month to day N of
 * the next, half-open, and are named by their end date: with N = 16, [2026-02-16, 2026-03-16) is the cycle
 * (and report) dated 2026-03-16, covering the 16th to the 15th.
 */
export type BillingDay = number | 'last';

export interface Cycle {
  start: PlainDate;
  end: PlainDate;
}

/** The anchor day in a given month (the last day of the month for `last`). */
export function anchorIn(yearMonth: Temporal.PlainYearMonth, day: BillingDay): PlainDate {
  // NOTE: N is at most 28, so day N exists in every month; `last` follows each month's length (28-31).
  return yearMonth.toPlainDate({ day: day === 'last' ? yearMonth.daysInMonth : day });
}

export function cycleContaining(day: BillingDay, when: PlainDate): Cycle {
  const month = Temporal.PlainYearMonth.from({ year: when.year, month: when.month });
  const anchor = anchorIn(month, day);
  const startMonth = compareDates(anchor, when) <= 0 ? month : month.subtract({ months: 1 });
  return { start: anchorIn(startMonth, day), end: anchorIn(startMonth.add({ months: 1 }), day) };
}

/** The cycle that ends (and is reported) in a month, `YYYY-MM`. */
export function cycleEndingIn(day: BillingDay, yearMonth: string): Cycle {
  const month = Temporal.PlainYearMonth.from(yearMonth);
  return { start: anchorIn(month.subtract({ months: 1 }), day), end: anchorIn(month, day) };
}

/** The cycle named by its end date. */
export function cycleNamed(day: BillingDay, end: string): Cycle {
  const cycle = cycleEndingIn(day, end.slice(0, 7));
  if (cycle.end.toString() !== end) throw new RangeError(`${end} is not a cycle end for billing day ${day}`);
  return cycle;
}

/** The `count` cycles before `cycle`, oldest first. */
export function previousCycles(day: BillingDay, cycle: Cycle, count: number): Cycle[] {
  const cycles: Cycle[] = [];
  let current = cycle;
  for (let i = 0; i < count; i++) {
    current = cycleContaining(day, current.start.subtract({ days: 1 }));
    cycles.unshift(current);
  }
  return cycles;
}

export function inCycle(cycle: Cycle, when: string | PlainDate): boolean {
  const d = typeof when === 'string' ? date(when) : when;
  return compareDates(cycle.start, d) <= 0 && compareDates(d, cycle.end) < 0;
}
