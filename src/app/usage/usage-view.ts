import type { UsageRecord } from '../../domain/billing.ts';
import { utcDate } from '../../domain/calendar.ts';
import {
  customerAmount,
  defaultUsageSettings,
  summarizeUsage,
  usageWindow,
  type UsageMonths,
  type UsageSummary,
} from '../../domain/usage.ts';
import { notFound } from '../errors.ts';
import type { SettingsStore } from '../ports/settings.port.ts';
import type { UsageDeps } from './deps.ts';

/** The partner's mark-up on Azure usage, in percent (`'0'` until the partner sets one). Billing reads it too. */
export async function usageMarkupPercent(settings: Pick<SettingsStore, 'usage'>): Promise<string> {
  return (await settings.usage())?.value.markupPercent ?? defaultUsageSettings.markupPercent;
}

export interface UsageQuery {
  customerId: string;
  months: UsageMonths;
  subscriptionId?: string;
  /** The partner's view: raw costs and the mark-up besides the customer's amounts. */
  withCost: boolean;
}

export interface CustomerUsage extends UsageSummary {
  customerId: string;
  months: number;
  from: string;
  to: string;
  subscriptionId?: string;
  markupPercent?: string;
}

async function prepare(deps: UsageDeps, query: UsageQuery) {
  if (!(await deps.customerCache.get(query.customerId)))
    throw notFound('CUSTOMER.NOT_FOUND', `No customer ${query.customerId}.`);
  const window = usageWindow(utcDate(deps.clock.now()), query.months);
  const markupPercent = await usageMarkupPercent(deps.settings);
  const records = deps.usageStore.list(query.customerId, window.from, window.to, query.subscriptionId);
  return { window, markupPercent, records };
}

/** F-USAGE: daily and monthly totals per meter for the last N whole months and the current one. */
export async function customerUsage(deps: UsageDeps, query: UsageQuery): Promise<CustomerUsage> {
  const { window, markupPercent, records } = await prepare(deps, query);
  const all: UsageRecord[] = [];
  for await (const record of records) all.push(record);
  return {
    customerId: query.customerId,
    months: query.months,
    ...window,
    ...(query.subscriptionId ? { subscriptionId: query.subscriptionId } : {}),
    ...(query.withCost ? { markupPercent } : {}),
    ...summarizeUsage(all, markupPercent, query.withCost),
  };
}

export const USAGE_EXPORT_COLUMNS = [
  'date',
  'subscriptionId',
  'meterCategory',
  'meterName',
  'meterId',
  'unitOfMeasure',
  'quantity',
  'amount',
  'currency',
] as const;

/** The same period's daily records as export rows (amounts with the mark-up; the partner's also carry the raw cost). */
export async function usageExport(
  deps: UsageDeps,
  query: UsageQuery,
): Promise<{ from: string; to: string; columns: string[]; rows: AsyncIterable<string[]> }> {
  const { window, markupPercent, records } = await prepare(deps, query);
  const columns: string[] = [...USAGE_EXPORT_COLUMNS, ...(query.withCost ? ['cost', 'source'] : [])];
  async function* rows(): AsyncGenerator<string[]> {
    for await (const r of records) {
      const row = [
        r.date,
        r.subscriptionId,
        r.meterCategory ?? '',
        r.meterName,
        r.meterId,
        r.unitOfMeasure,
        r.quantity,
        customerAmount(r, markupPercent),
        r.currency,
      ];
      yield query.withCost ? [...row, r.cost, r.source] : row;
    }
  }
  return { ...window, columns, rows: rows() };
}
