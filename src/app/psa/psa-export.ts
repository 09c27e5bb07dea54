import { stringify } from 'csv-stringify/sync';
import { inertCell } from '../../domain/csv-safety.ts';
import { billingPeriodContaining, date, daysBetween } from '../../domain/calendar.ts';
import { dec } from '../../domain/money.ts';
import { additionOf, psaCsvLayouts, type AgreementAddition, type PsaKind, type PsaMapping } from '../../domain/psa.ts';
import { AppError, notFound } from '../errors.ts';
import type { BillingStore } from '../ports/billing.port.ts';
import type { CatalogPort } from '../ports/catalog.port.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { CustomerRepository } from '../ports/customer.repository.port.ts';
import type { AgreementAdditionsApi, PsaStore } from '../ports/psa.port.ts';

/**
 * F-PSA: a billing cycle's agreement additions, from the billed (closed) cycles of the mapped customers, as CSV in
 * the layout each PSA imports, or sent to ConnectWise Manage's REST API once each. A line's unit cost is the price
 * list's cost for its product, term and billing frequency on its charge date; lines with no list price (usage,
 * one-off charges, corrections) carry a cost of 0.
 */
export interface PsaDeps {
  clock: Clock;
  psa: PsaStore;
  customers: Pick<CustomerRepository, 'get'>;
  customerData: Pick<CustomerDataStore, 'services'>;
  billing: Pick<BillingStore, 'lines' | 'invoice'>;
  catalog: Pick<CatalogPort, 'priceFor'>;
  /** ConnectWise Manage's API, built on first use (it needs the CONNECTWISE_* settings). */
  connectWise: () => Promise<AgreementAdditionsApi>;
}

export interface CycleAdditions {
  cycle: string;
  additions: AgreementAddition[];
  /** Lines left out, with why: a customer or product with no PSA mapping, or a cycle not billed yet. */
  skipped: {
    customerId: string;
    reason: 'customerNotMapped' | 'productNotMapped' | 'cycleNotBilled';
    lineId?: string;
    productId?: string;
  }[];
}

export async function requireMapping(deps: Pick<PsaDeps, 'psa'>): Promise<PsaMapping> {
  const mapping = await deps.psa.mapping();
  if (!mapping)
    throw new AppError(
      'Conflict',
      'PSA.NOT_MAPPED',
      'No PSA mapping yet: map customers and products first (PUT /api/psa/mapping).',
    );
  return mapping.value;
}

/** The additions of the cycle dated `cycle` (its end date) for every mapped customer whose invoice of it exists. */
export async function cycleAdditions(deps: PsaDeps, cycle: string): Promise<CycleAdditions> {
  const mapping = await requireMapping(deps);
  const additions: AgreementAddition[] = [];
  const skipped: CycleAdditions['skipped'] = [];
  for (const { customerId } of mapping.customers) {
    const customer = await deps.customers.get(customerId);
    if (!customer) continue;
    const invoice = await deps.billing.invoice(customerId, cycle);
    if (!invoice) {
      skipped.push({ customerId, reason: 'cycleNotBilled' });
      continue;
    }
    const [lines, services] = await Promise.all([
      deps.billing.lines(customerId, cycle, cycle),
      deps.customerData.services(customerId),
    ]);
    const subscriptions = new Map(services.subscriptions.map((s) => [s.value.id, s.value] as const));
    const ofCycle = lines
      .filter((l) => l.cycle === cycle)
      .sort(
        (a, b) => a.chargeDate.localeCompare(b.chargeDate) || a.kind.localeCompare(b.kind) || a.id.localeCompare(b.id),
      );
    for (const line of ofCycle) {
      const sub = line.subscriptionId ? subscriptions.get(line.subscriptionId) : undefined;
      let cost = dec(0);
      let share = dec(1);
      if (sub && line.productId && (line.kind === 'cycleFee' || line.kind === 'proRata' || line.kind === 'refund')) {
        // NOTE: billing periods repeat from the subscription's first day; a renewal starts on a period boundary.
        const period = billingPeriodContaining(date(sub.startDate), sub.billingFrequency, date(line.chargeDate));
        share = dec(daysBetween(date(line.periodStart), date(line.periodEnd))).dividedBy(
          daysBetween(period.start, period.end),
        );
        const price = await deps.catalog.priceFor({
          customerId,
          currency: line.currency,
          productId: line.productId,
          term: sub.term,
          frequency: sub.billingFrequency,
          onDate: line.chargeDate,
        });
        if (price) cost = dec(price.cost);
      }
      const addition = additionOf(line, mapping, cost, share);
      if ('unmapped' in addition) {
        skipped.push({
          customerId,
          reason: addition.unmapped === 'customer' ? 'customerNotMapped' : 'productNotMapped',
          lineId: addition.lineId,
          ...(addition.productId ? { productId: addition.productId } : {}),
        });
      } else additions.push(addition);
    }
  }
  return { cycle, additions, skipped };
}

/** The CSV a PSA imports: its columns, one addition a row, cells made inert for spreadsheets. */
export function additionsCsv(kind: PsaKind, additions: AgreementAddition[]): string {
  const layout = psaCsvLayouts[kind];
  return stringify([layout.map((c) => c.header), ...additions.map((a) => layout.map((c) => inertCell(c.value(a))))]);
}

/** Sends the cycle's additions to ConnectWise Manage; an addition sent before is not sent again. */
export async function pushToConnectWise(
  deps: PsaDeps,
  cycle: string,
): Promise<{ cycle: string; sent: number; alreadySent: number; skipped: CycleAdditions['skipped'] }> {
  const { additions, skipped } = await cycleAdditions(deps, cycle);
  if (additions.length === 0 && skipped.every((s) => s.reason === 'cycleNotBilled') && skipped.length > 0)
    throw notFound('PSA.CYCLE_NOT_BILLED', `No mapped customer has a billed cycle dated ${cycle}.`);
  const api = await deps.connectWise();
  let sent = 0;
  let alreadySent = 0;
  for (const addition of additions) {
    if (await deps.psa.sent(addition.id)) {
      alreadySent += 1;
      continue;
    }
    const created = await api.create(addition);
    await deps.psa.markSent(addition.id, created.id, deps.clock.now().toISOString());
    sent += 1;
  }
  return { cycle, sent, alreadySent, skipped };
}
