import { z } from 'zod';
import { addMonthsFrom, date, type PlainDate } from './calendar.ts';
import { dec, money, sum, type Dec } from './money.ts';
import type { UsageRecord } from './billing.ts';

/**
 * F-USAGE: what customers see of their rated Azure usage, and the partner's mark-up on it. Costs in records are
 * raw (what Microsoft charges the partner); customers only ever see them with the mark-up applied.
 */

/** Microsoft's product id of the Azure plan (the subscription that rated usage is billed under). */
export const AZURE_PLAN_PRODUCT = 'DZH318Z0BPS6';

export function isAzurePlan(productId: string): boolean {
  return productId === AZURE_PLAN_PRODUCT || productId.startsWith(`${AZURE_PLAN_PRODUCT}:`);
}

/** The periods a customer may look back over (the Usage Data page: 3, 6, 9 or 12 months). */
export const usageMonthChoices = [3, 6, 9, 12] as const;
export type UsageMonths = (typeof usageMonthChoices)[number];

/** Subscription ids as Microsoft issues them (GUIDs), or anything of that alphabet: letters, digits, hyphens. */
export const usageSubscriptionIdSchema = z
  .string()
  .regex(/^[A-Za-z0-9-]{1,64}$/, 'letters, digits and hyphens, at most 64');

/** Partner settings for usage: the mark-up (percent, e.g. `15` or `12.5`) added to raw costs for customers. */
export const usageSettingsSchema = z
  .strictObject({
    markupPercent: z
      .string()
      .regex(/^(0|[1-9]\d{0,2})(\.\d{1,4})?$/, 'a percentage such as 15 or 12.5 (0 to 999.9999, at most 4 decimals)')
      .describe('Added to raw Azure costs for customers: cost × (1 + markupPercent / 100)'),
  })
  .meta({ id: 'UsageSettings' });
export type UsageSettings = z.infer<typeof usageSettingsSchema>;
export const defaultUsageSettings: UsageSettings = { markupPercent: '0' };

/** The multiplier of a mark-up: `15` gives 1.15. */
export function markupFactor(markupPercent: string): Dec {
  return dec(1).plus(dec(markupPercent).dividedBy(100));
}

/** `[first day of the month N months back, first day of next month)`: N whole months plus the current one. */
export function usageWindow(today: PlainDate, months: number): { from: string; to: string } {
  const monthStart = today.with({ day: 1 });
  return { from: addMonthsFrom(monthStart, -months).toString(), to: addMonthsFrom(monthStart, 1).toString() };
}

/** `YYYY-MM` of every month that [from, to) touches. */
export function monthsOf(from: string, to: string): string[] {
  const months: string[] = [];
  if (from >= to) return months;
  const last = date(to).subtract({ days: 1 });
  for (let month = date(from).with({ day: 1 }); month.toString() <= last.toString(); month = month.add({ months: 1 })) {
    months.push(month.toString().slice(0, 7));
  }
  return months;
}

/** A decimal as stored in a usage record: at most 6 decimals, half-up, no exponent, no `-0`. */
export function usageDecimal(value: Dec): string {
  const rounded = value.toDecimalPlaces(6);
  return rounded.isZero() ? '0' : rounded.toFixed();
}

export interface UsageAmounts {
  quantity: string;
  /** With the mark-up, rounded once to the currency's decimals. */
  amount: string;
  /** Raw cost before the mark-up, unrounded: partners only. */
  cost?: string;
}

export interface MeterUsage {
  subscriptionId: string;
  meterId: string;
  meterName: string;
  meterCategory?: string;
  unitOfMeasure: string;
  currency: string;
  monthly: (UsageAmounts & { month: string })[];
  daily: (UsageAmounts & { date: string })[];
}

export interface UsageSummary {
  meters: MeterUsage[];
  /** Per month and currency: the sum of the rounded monthly meter amounts. */
  totals: { month: string; currency: string; amount: string; cost?: string }[];
}

/**
 * Daily and monthly totals per subscription and meter. A month's amount follows billing rule 8 (the raw daily
 * costs summed, times the mark-up, rounded once); a day's amount is that day's cost with the mark-up, rounded;
 * totals are sums of rounded amounts. `withCost` adds the raw costs (for the partner's eyes only).
 */
export function summarizeUsage(records: Iterable<UsageRecord>, markupPercent: string, withCost: boolean): UsageSummary {
  const factor = markupFactor(markupPercent);
  interface Acc {
    meter: Omit<MeterUsage, 'monthly' | 'daily'>;
    days: Map<string, { quantity: Dec; cost: Dec }>;
    months: Map<string, { quantity: Dec; cost: Dec }>;
  }
  const meters = new Map<string, Acc>();
  const add = (map: Map<string, { quantity: Dec; cost: Dec }>, key: string, record: UsageRecord) => {
    const entry = map.get(key) ?? { quantity: dec(0), cost: dec(0) };
    map.set(key, { quantity: entry.quantity.plus(record.quantity), cost: entry.cost.plus(record.cost) });
  };
  for (const record of records) {
    const key = `${record.subscriptionId}|${record.meterId}|${record.currency}`;
    let acc = meters.get(key);
    if (!acc) {
      const { subscriptionId, meterId, meterName, meterCategory, unitOfMeasure, currency } = record;
      acc = {
        meter: {
          subscriptionId,
          meterId,
          meterName,
          ...(meterCategory ? { meterCategory } : {}),
          unitOfMeasure,
          currency,
        },
        days: new Map(),
        months: new Map(),
      };
      meters.set(key, acc);
    }
    add(acc.days, record.date, record);
    add(acc.months, record.date.slice(0, 7), record);
  }

  const amounts = (entry: { quantity: Dec; cost: Dec }, currency: string): UsageAmounts => ({
    quantity: usageDecimal(entry.quantity),
    amount: money(entry.cost.times(factor), currency).amount,
    ...(withCost ? { cost: usageDecimal(entry.cost) } : {}),
  });
  const totals = new Map<string, { month: string; currency: string; amounts: Dec[]; costs: Dec[] }>();
  const result: MeterUsage[] = [];
  for (const { meter, days, months } of [...meters.values()].sort((a, b) => compareMeters(a.meter, b.meter))) {
    const monthly = [...months.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([month, entry]) => ({ month, ...amounts(entry, meter.currency) }));
    for (const [month, entry] of months) {
      const key = `${month}|${meter.currency}`;
      const total = totals.get(key) ?? { month, currency: meter.currency, amounts: [], costs: [] };
      total.amounts.push(dec(money(entry.cost.times(factor), meter.currency).amount));
      total.costs.push(entry.cost);
      totals.set(key, total);
    }
    const daily = [...days.entries()]
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([day, entry]) => ({ date: day, ...amounts(entry, meter.currency) }));
    result.push({ ...meter, monthly, daily });
  }
  return {
    meters: result,
    totals: [...totals.values()]
      .sort((a, b) => a.month.localeCompare(b.month) || a.currency.localeCompare(b.currency))
      .map((t) => ({
        month: t.month,
        currency: t.currency,
        amount: money(sum(t.amounts), t.currency).amount,
        ...(withCost ? { cost: usageDecimal(sum(t.costs)) } : {}),
      })),
  };
}

function compareMeters(a: Omit<MeterUsage, 'monthly' | 'daily'>, b: Omit<MeterUsage, 'monthly' | 'daily'>): number {
  return (
    a.subscriptionId.localeCompare(b.subscriptionId) ||
    (a.meterCategory ?? '').localeCompare(b.meterCategory ?? '') ||
    a.meterName.localeCompare(b.meterName) ||
    a.meterId.localeCompare(b.meterId)
  );
}

/** A record's amount for a customer: its raw cost with the mark-up, rounded to the currency's decimals. */
export function customerAmount(record: Pick<UsageRecord, 'cost' | 'currency'>, markupPercent: string): string {
  return money(dec(record.cost).times(markupFactor(markupPercent)), record.currency).amount;
}

type TallyInput = Omit<UsageRecord, 'quantity' | 'cost'> & { quantity: Dec | string; cost: Dec | string };

/**
 * Sums finer rows (per resource, or a file's repeated rows) into one record per customer, subscription, meter, day
 * and source: the unit the store keeps. A row whose currency differs from the record's is refused.
 */
export class UsageTally {
  private readonly entries = new Map<
    string,
    { record: Omit<UsageRecord, 'quantity' | 'cost'>; quantity: Dec; cost: Dec }
  >();

  get size(): number {
    return this.entries.size;
  }

  /** `false` when the record already has another currency. */
  add(row: TallyInput): boolean {
    const key = [row.customerId, row.subscriptionId, row.meterId, row.date, row.source].join('\u0000');
    const entry = this.entries.get(key);
    if (!entry) {
      const { quantity, cost, ...record } = row;
      this.entries.set(key, { record, quantity: dec(quantity), cost: dec(cost) });
      return true;
    }
    if (entry.record.currency !== row.currency) return false;
    entry.quantity = entry.quantity.plus(row.quantity);
    entry.cost = entry.cost.plus(row.cost);
    return true;
  }

  *records(): Generator<UsageRecord> {
    for (const { record, quantity, cost } of this.entries.values())
      yield { ...record, quantity: usageDecimal(quantity), cost: usageDecimal(cost) };
  }
}
