import { cycleContaining, cycleNamed, previousCycles } from '../../domain/billing-cycles.ts';
import {
  lineId,
  subscriptionLines,
  usageLines,
  type DraftLine,
  type PriceAt,
  type SubscriptionHistory,
} from '../../domain/billing-lines.ts';
import type { BillingLine, Invoice, UsageRecord } from '../../domain/billing.ts';
import { date } from '../../domain/calendar.ts';
import type { Customer } from '../../domain/customer.ts';
import { dec, money, sum } from '../../domain/money.ts';
import { changeLogEntrySchema, subscriptionStateSchema, type ChangeLogEntry } from '../../domain/subscription.ts';
import { AppError } from '../errors.ts';
import type { CatalogPort } from '../ports/catalog.port.ts';
import type { BillingDeps, CycleBill } from './deps.ts';

export type { BillingDeps, CycleBill };

/** How many closed cycles back a run looks for lines that became known late. */
const CORRECTION_LOOKBACK = 12;

/**
 * Bills one customer for the cycle named `cycleEnd`. Lines are computed from the change history, usage and
 * one-off charges, never from totals; only lines not stored yet are added. A line of a cycle that closed
 * before it became known goes to this cycle as a correction keeping its dates; a stored line whose amount
 * would now differ gets a correction line for the difference. Writing the invoice closes the cycle, so a
 * re-run of a billed cycle adds nothing.
 */
export async function billCustomerCycle(deps: BillingDeps, customer: Customer, cycleEnd: string): Promise<CycleBill> {
  // One read gives both whether this cycle is billed already and which earlier ones are closed.
  const invoices = await deps.billing.invoices(customer.id);
  const existing = invoices.find((i) => i.value.cycle === cycleEnd);
  if (existing) return { cycle: cycleEnd, invoice: existing.value, added: 0 };
  const { added, invoice, lines, histories: known } = await draftCycleBill(deps, customer, cycleEnd, invoices);
  await deps.billing.addLines(customer.id, added);
  try {
    const saved = await deps.billing.saveInvoice(invoice);
    return { cycle: cycleEnd, invoice: saved.value, added: added.length, lines: inKeyOrder(lines), histories: known };
  } catch (error) {
    // Another run billed this cycle at the same time: its lines have the same ids, its invoice stands.
    if (error instanceof AppError && error.code === 'REQUEST.ALREADY_EXISTS') {
      const other = await deps.billing.invoice(customer.id, cycleEnd);
      if (other) return { cycle: cycleEnd, invoice: other.value, added: 0 };
    }
    throw error;
  }
}

export interface CycleDraft {
  /** The lines the run would add (new lines and corrections). */
  added: BillingLine[];
  /** Every line of the cycle: those stored already and `added`. */
  lines: BillingLine[];
  invoice: Invoice;
  /** The customer's subscription histories the draft was made from (the reports need them too). */
  histories: SubscriptionHistory[];
}

/**
 * What billing the cycle `cycleEnd` would write if it ran now, writing nothing: the billing run's own computation
 * (billCustomerCycle writes exactly this), and the upcoming invoice (F-UPCOMING).
 */
export interface DraftOptions {
  /** Change-log entries taken as written (a change's preview: what it would do to the bill), nothing stored. */
  assume?: ChangeLogEntry[];
}

export async function draftCycleBill(
  deps: BillingDeps,
  customer: Customer,
  cycleEnd: string,
  invoices?: { value: Invoice }[],
  options: DraftOptions = {},
): Promise<CycleDraft> {
  const cycle = cycleNamed(customer.billingDay, cycleEnd);
  const earlier = previousCycles(customer.billingDay, cycle, CORRECTION_LOOKBACK);
  const windowStart = (earlier[0] ?? cycle).start.toString();
  const closed = new Set((invoices ?? (await deps.billing.invoices(customer.id))).map((i) => i.value.cycle));
  const stored = await deps.billing.lines(customer.id, (earlier[0] ?? cycle).end.toString(), cycleEnd);
  const now = deps.clock.now().toISOString();

  const known = await histories(deps, customer.id, options.assume);
  const expected = await expectedLines(
    deps,
    customer,
    { from: windowStart, to: cycleEnd },
    [...earlier, cycle].map((c) => ({ start: c.start.toString(), end: c.end.toString() })),
    known,
  );
  const byId = new Map<string, BillingLine[]>();
  for (const line of stored) {
    const key = line.correctsLineId ?? line.id;
    byId.set(key, [...(byId.get(key) ?? []), line]);
  }

  const added: BillingLine[] = [];
  for (const draft of expected) {
    const home = cycleContaining(customer.billingDay, date(draft.chargeDate)).end.toString();
    if (home > cycleEnd) continue;
    if (home < cycleEnd && !closed.has(home)) continue; // an earlier cycle not billed yet bills it itself
    const billed = byId.get(draft.id);
    if (!billed) {
      added.push({
        ...draft,
        customerId: customer.id,
        cycle: cycleEnd,
        createdAt: now,
        ...(home < cycleEnd ? { originalCycle: home } : {}),
      });
      continue;
    }
    const difference = dec(draft.amount).minus(sum(billed.map((l) => dec(l.amount))));
    if (difference.isZero()) continue;
    const amount = money(difference, draft.currency).amount;
    added.push({
      ...draft,
      id: lineId(draft.id, 'correction', String(billed.length), amount),
      kind: 'correction',
      customerId: customer.id,
      cycle: cycleEnd,
      description: `Correction of ${draft.description}`,
      quantity: '1',
      unitPrice: amount,
      amount,
      correctsLineId: draft.id,
      ...(home < cycleEnd ? { originalCycle: home } : {}),
      createdAt: now,
    });
  }

  const cycleLines = [...stored.filter((l) => l.cycle === cycleEnd), ...added];
  const invoice: Invoice = {
    id: `INV-${cycleEnd.replaceAll('-', '')}-${customer.id.slice(0, 8).toUpperCase()}`,
    customerId: customer.id,
    cycle: cycleEnd,
    cycleStart: cycle.start.toString(),
    issuedOn: cycleEnd,
    currency: customer.currency,
    total: money(sum(cycleLines.map((l) => dec(l.amount))), customer.currency).amount,
    lineCount: cycleLines.length,
    status: 'open',
    createdAt: now,
  };
  return { added, lines: cycleLines, invoice, histories: known };
}

/** Every line the facts give for charge dates in [from, to): subscriptions, usage per cycle, one-off charges. */
export async function expectedLines(
  deps: BillingDeps,
  customer: Customer,
  window: { from: string; to: string },
  cycles: { start: string; end: string }[],
  known?: SubscriptionHistory[],
): Promise<DraftLine[]> {
  const lines: DraftLine[] = [];
  const priceAt = pricesFor(deps, customer);
  for (const history of known ?? (await histories(deps, customer.id)))
    lines.push(...(await subscriptionLines(history, window, priceAt)));

  const usage: UsageRecord[] = [];
  for await (const record of deps.usageStore.list(customer.id, window.from, window.to)) {
    if (record.currency !== customer.currency) {
      throw new AppError(
        'Conflict',
        'USAGE.CURRENCY_MISMATCH',
        `Azure usage of ${record.date} is in ${record.currency} but the customer is billed in ${customer.currency}; set USAGE_EXPORT_CURRENCY or re-import it in ${customer.currency}.`,
      );
    }
    usage.push(record);
  }
  const markup = await deps.usageMarkupPercent();
  for (const cycle of cycles) lines.push(...usageLines(usage, cycle, markup, customer.currency));

  for (const charge of await deps.billing.oneOffCharges(customer.id, window.from, window.to)) {
    const amount = money(dec(charge.unitPrice).times(dec(charge.quantity)), charge.currency).amount;
    lines.push({
      id: lineId(customer.id, 'oneOff', charge.id),
      kind: 'oneOff',
      chargeDate: charge.date,
      periodStart: charge.date,
      periodEnd: date(charge.date).add({ days: 1 }).toString(),
      description: charge.description,
      quantity: charge.quantity,
      unitPrice: charge.unitPrice,
      amount,
      currency: charge.currency,
      priceListId: 'manual',
      priceSource: 'manual',
    });
  }
  return lines;
}

/** Rule 7 through the catalog, once per (product, term, frequency, date) within a run; one price book per customer. */
function pricesFor(deps: BillingDeps, customer: Customer): PriceAt {
  const cache = new Map<string, ReturnType<PriceAt>>();
  let book: ReturnType<NonNullable<CatalogPort['priceBook']>> | undefined;
  const lookup = async (query: Omit<Parameters<CatalogPort['priceFor']>[0], 'customerId'>) => {
    if (deps.catalog.priceBook) return (await (book ??= deps.catalog.priceBook(customer.id)))(query);
    return deps.catalog.priceFor({ customerId: customer.id, ...query });
  };
  return (productId, term, frequency, chargeDate) => {
    const key = `${productId}|${term}|${frequency}|${chargeDate}`;
    let price = cache.get(key);
    if (!price) {
      price = lookup({ currency: customer.currency, productId, term, frequency, onDate: chargeDate }).then((found) => {
        if (!found) {
          throw new AppError(
            'Conflict',
            'PRICE.NOT_FOUND',
            `No ${customer.currency} price for ${productId} ${term}/${frequency} on ${chargeDate}.`,
          );
        }
        return {
          unitPrice: dec(found.unitPrice),
          currency: found.currency,
          priceListId: found.priceListId,
          source: found.source,
        };
      });
      cache.set(key, price);
    }
    return price;
  };
}

/** The order a read of the cycle's lines gives (row key `{cycle}|{lineId}`). */
const inKeyOrder = (lines: BillingLine[]) => [...lines].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));

/** Each subscription's states over time, replayed from the change log (entries that carry a state). */
export async function histories(
  deps: Pick<BillingDeps, 'customerData'>,
  customerId: string,
  assume: ChangeLogEntry[] = [],
): Promise<SubscriptionHistory[]> {
  const entries: ChangeLogEntry[] = [];
  let token: string | undefined;
  do {
    const page = await deps.customerData.changeLog(customerId, {}, 1000, token);
    entries.push(...page.items.map((e) => changeLogEntrySchema.parse(e)));
    token = page.continuationToken;
  } while (token);
  entries.push(...assume);
  const bySubscription = new Map<string, SubscriptionHistory>();
  for (const entry of entries) {
    if (!entry.subscriptionId) continue;
    const state = subscriptionStateSchema.safeParse(entry.after);
    if (!state.success) continue;
    const history = bySubscription.get(entry.subscriptionId) ?? {
      subscriptionId: entry.subscriptionId,
      productName: entry.productName ?? state.data.productId,
      events: [],
    };
    history.events.push({ id: entry.id, at: entry.at, state: state.data });
    bySubscription.set(entry.subscriptionId, history);
  }
  for (const history of bySubscription.values()) history.events.sort((a, b) => a.at.localeCompare(b.at));
  return [...bySubscription.values()];
}
