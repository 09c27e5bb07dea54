import { createHash } from 'node:crypto';
import {
  addMonthsFrom,
  compareDates,
  date,
  daysBetween,
  monthsPerPeriod,
  type BillingFrequency,
  type PlainDate,
  type Term,
} from './calendar.ts';
import { dec, money, sum, type Dec } from './money.ts';
import type { BillingLine, UsageRecord } from './billing.ts';
import type { SubscriptionState } from './subscription.ts';

/**
 * DESIGN rules 3-8 as pure functions: from a subscription's history (the state after each logged change), the
 * cycle fees in advance at each billing period's start and the pro-rata charges and refunds of mid-period
 * changes; from daily usage, one line per subscription and meter with the mark-up; each line rounded once.
 */
export type DraftLine = Omit<BillingLine, 'customerId' | 'cycle' | 'createdAt' | 'originalCycle' | 'correctsLineId'>;

export interface HistoryEvent {
  /** The change-log entry id. */
  id: string;
  /** When it happened (ISO instant); its UTC date is the charge date of a pro-rata line. */
  at: string;
  state: SubscriptionState;
}

export interface SubscriptionHistory {
  subscriptionId: string;
  productName: string;
  /** Oldest first. */
  events: HistoryEvent[];
}

export interface LinePrice {
  unitPrice: Dec;
  currency: string;
  priceListId: string;
  source: 'customer' | 'global';
}

/** Rule 7: the price of one seat for one billing period, in force on the charge date. Rejects when there is none. */
export type PriceAt = (
  productId: string,
  term: Term,
  frequency: BillingFrequency,
  chargeDate: string,
) => Promise<LinePrice>;

/** A deterministic line id from the facts that identify it (rule 10). */
export function lineId(...parts: (string | undefined)[]): string {
  return createHash('sha256')
    .update(parts.map((p) => p ?? '').join('|'))
    .digest('base64url')
    .slice(0, 26);
}

const billable = (state: SubscriptionState) =>
  state.status === 'active' || state.status === 'suspended' ? state.quantity : 0;
const dayOf = (instant: string) => instant.slice(0, 10);

interface TermSpan {
  start: string;
  end: string;
  term: Term;
  frequency: BillingFrequency;
}

/** Lines of one subscription whose charge date falls in [from, to). */
export async function subscriptionLines(
  history: SubscriptionHistory,
  window: { from: string; to: string },
  priceAt: PriceAt,
): Promise<DraftLine[]> {
  const events = [...history.events].sort((a, b) => a.at.localeCompare(b.at));
  const inWindow = (d: string) => d >= window.from && d < window.to;
  const stateAtEndOf = (d: string): SubscriptionState | undefined => {
    let found: SubscriptionState | undefined;
    for (const e of events) {
      if (dayOf(e.at) > d) break;
      found = e.state;
    }
    return found;
  };

  const terms = new Map<string, TermSpan>();
  for (const { state } of events) {
    terms.set(state.termStartDate, {
      start: state.termStartDate,
      end: state.termEndDate,
      term: state.term,
      frequency: state.billingFrequency,
    });
  }

  const lines: DraftLine[] = [];
  const sub = history.subscriptionId;
  for (const span of terms.values()) {
    const start = date(span.start);
    const end = date(span.end);
    const step = monthsPerPeriod(span.frequency);
    // NOTE: periods are computed from the term start (never chained), so a start on the 31st stays anchored.
    for (let k = 0; ; k++) {
      const ps = addMonthsFrom(start, k * step);
      if (compareDates(ps, end) >= 0) break;
      const pe = addMonthsFrom(start, (k + 1) * step);
      const period = { ps: ps.toString(), pe: pe.toString() };

      const opening = stateAtEndOf(period.ps);
      if (opening && opening.termStartDate === span.start && billable(opening) > 0 && inWindow(period.ps)) {
        const price = await priceAt(opening.productId, span.term, span.frequency, period.ps);
        const seats = billable(opening);
        lines.push({
          id: lineId(sub, 'cycleFee', period.ps, period.pe),
          kind: 'cycleFee',
          chargeDate: period.ps,
          periodStart: period.ps,
          periodEnd: period.pe,
          subscriptionId: sub,
          productId: opening.productId,
          description: `${history.productName}: ${seats} seat(s) for ${period.ps} to ${pe.subtract({ days: 1 }).toString()}`,
          quantity: String(seats),
          unitPrice: price.unitPrice.toString(),
          amount: money(price.unitPrice.times(seats), price.currency).amount,
          currency: price.currency,
          priceListId: price.priceListId,
          priceSource: price.source,
        });
      }

      let previous = opening;
      for (const event of events) {
        const d = dayOf(event.at);
        if (d <= period.ps || d >= period.pe || event.state.termStartDate !== span.start) continue;
        const delta =
          billable(event.state) - (previous && previous.termStartDate === span.start ? billable(previous) : 0);
        previous = event.state;
        if (delta === 0 || !inWindow(d)) continue;
        lines.push(await midPeriodLine(history, event, delta, { ps, pe }, span, priceAt));
      }
    }
  }
  return lines;
}

async function midPeriodLine(
  history: SubscriptionHistory,
  event: HistoryEvent,
  delta: number,
  period: { ps: PlainDate; pe: PlainDate },
  span: TermSpan,
  priceAt: PriceAt,
): Promise<DraftLine> {
  const d = dayOf(event.at);
  const kind = delta > 0 ? 'proRata' : 'refund';
  const price = await priceAt(event.state.productId, span.term, span.frequency, d);
  const remaining = daysBetween(date(d), period.pe);
  const whole = daysBetween(period.ps, period.pe);
  const amount = money(price.unitPrice.times(delta).times(remaining).dividedBy(whole), price.currency).amount;
  return {
    id: lineId(history.subscriptionId, kind, period.ps.toString(), period.pe.toString(), d, event.id),
    kind,
    chargeDate: d,
    periodStart: d,
    periodEnd: period.pe.toString(),
    subscriptionId: history.subscriptionId,
    productId: event.state.productId,
    description: `${history.productName}: ${delta > 0 ? '+' : '−'}${Math.abs(delta)} seat(s) from ${d}, ${remaining}/${whole} days${delta < 0 ? ' (refund)' : ''}`,
    quantity: String(delta),
    unitPrice: price.unitPrice.toString(),
    amount,
    currency: price.currency,
    priceListId: price.priceListId,
    priceSource: price.source,
    ...(delta < 0
      ? { refundsLineId: lineId(history.subscriptionId, 'cycleFee', period.ps.toString(), period.pe.toString()) }
      : {}),
  };
}

/** Rule 8: per subscription and meter, the cycle's raw daily costs summed, times (1 + mark-up), rounded once. */
export function usageLines(
  records: UsageRecord[],
  cycle: { start: string; end: string },
  markupPercent: string,
  currency: string,
): DraftLine[] {
  const groups = new Map<string, UsageRecord[]>();
  for (const record of records) {
    if (record.date < cycle.start || record.date >= cycle.end) continue;
    const key = `${record.subscriptionId}|${record.meterId}`;
    groups.set(key, [...(groups.get(key) ?? []), record]);
  }
  const factor = dec(1).plus(dec(markupPercent).dividedBy(100));
  return [...groups.values()].map((group) => {
    const first = group[0] as UsageRecord;
    const cost = sum(group.map((r) => dec(r.cost)));
    const quantity = sum(group.map((r) => dec(r.quantity)));
    return {
      id: lineId(first.subscriptionId, 'usage', cycle.start, cycle.end, first.meterId),
      kind: 'usage',
      chargeDate: cycle.start,
      periodStart: cycle.start,
      periodEnd: cycle.end,
      subscriptionId: first.subscriptionId,
      meterId: first.meterId,
      description: `Azure usage: ${first.meterName} (${quantity.toString()} ${first.unitOfMeasure})`,
      quantity: quantity.toString(),
      unitPrice: (quantity.isZero() ? cost.times(factor) : cost.times(factor).dividedBy(quantity))
        .toDecimalPlaces(6)
        .toString(),
      amount: money(cost.times(factor), currency).amount,
      currency,
      priceListId: 'usage',
      priceSource: 'usage',
    } satisfies DraftLine;
  });
}
