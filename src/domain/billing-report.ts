import { lineKinds, type BillingLine, type Invoice, type LineKind } from './billing.ts';
import { date } from './calendar.ts';
import { currencyDecimals } from './locale.ts';
import { dec, money, sum } from './money.ts';
import { DEFAULT_ACCENT_COLOR, type PartnerProfile } from './partner-profile.ts';
import type { PostalAddress } from './customer.ts';
import { billingContractLabel, type SubscriptionState } from './subscription.ts';

/**
 * F-REPORTS: the customer billing report of one cycle, as every file format shows it. One report per customer
 * and cycle, grouped date (the cycle) → subscription → line, with a subtotal per subscription and a total per
 * cycle that are sums of the rounded lines (DESIGN rule 1), so they equal the invoice. Everything here is
 * ordered deterministically: the same lines always give the same report, byte for byte once written.
 */
export const reportFormats = ['xlsx', 'csv', 'xml', 'pdf'] as const;
export type ReportFormat = (typeof reportFormats)[number];

export const reportContentTypes: Record<ReportFormat | 'json', string> = {
  xlsx: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet',
  csv: 'text/csv; charset=utf-8',
  xml: 'application/xml; charset=utf-8',
  pdf: 'application/pdf',
  json: 'application/json; charset=utf-8',
};

export const lineKindLabels: Record<LineKind, string> = {
  cycleFee: 'Cycle fee',
  proRata: 'Pro-rata',
  refund: 'Refund',
  usage: 'Usage',
  oneOff: 'One-off',
  correction: 'Correction',
};

/** A run period (`YYYY-MM`) is the month its cycles end in; a cycle's reports live under that month. */
export const periodOfCycle = (cycle: string) => cycle.slice(0, 7);

/** Blob names in the `reports` container: `{period}/{customerId}/{cycle}.{format}`. */
export function billingReportBlobName(customerId: string, cycle: string, format: ReportFormat): string {
  return `${periodOfCycle(cycle)}/${customerId}/${cycle}.${format}`;
}

export const manifestBlobName = (period: string) => `${period}/manifest.json`;

export interface SubscriptionGroup {
  /** `null` for charges of no subscription (one-off charges). */
  subscriptionId: string | null;
  /** The product's name (never the subscription's id). */
  name: string;
  /** What heads the group: product, then seats and term where known (`Microsoft 365 Business Premium, 13 seats, 1-year term, billed monthly`). */
  heading: string;
  /** Seats and term at the cycle's end, where known. */
  quantity?: number;
  term?: string;
  lines: BillingLine[];
  subtotal: string;
}

/** What a report says of a subscription: its state at the end of the cycle (from the change log, so it never changes later). */
export interface SubscriptionFacts {
  productName: string;
  state: Pick<SubscriptionState, 'quantity' | 'term' | 'billingFrequency'>;
}

export interface BillingReport {
  partnerName: string;
  /** The partner profile in force when the report was written. */
  partner: PartnerProfile;
  customer: {
    id: string;
    name: string;
    resellerId?: string;
    tenantId?: string;
    address?: PostalAddress;
    /** Decides the paper: Letter in the US and Canada, A4 elsewhere. */
    country?: string;
  };
  invoice: Invoice;
  currency: string;
  /** The currency's decimals (2 for USD, 0 for JPY). */
  decimals: number;
  /** The cycle, half-open: [start, end); `lastDay` is the day before `end`. */
  cycle: { start: string; end: string; lastDay: string };
  groups: SubscriptionGroup[];
  /** Sum of the rounded lines (the invoice total). */
  total: string;
  /** Totals per kind of line, in the order of `lineKinds`, kinds without lines left out. */
  byKind: { kind: LineKind; lines: number; amount: string }[];
  lineCount: number;
}

export interface BillingReportInput {
  partnerName: string;
  /** The partner profile (defaults to `partnerName` alone). */
  partner?: PartnerProfile;
  customer: BillingReport['customer'];
  /** Headings of the subscriptions billed, by subscription id (the product name from the lines otherwise). */
  subscriptions?: ReadonlyMap<string, SubscriptionFacts>;
  invoice: Invoice;
  /** The cycle's lines (those billed in it, corrections included). */
  lines: BillingLine[];
}

const kindOrder = new Map<string, number>(lineKinds.map((kind, index) => [kind, index]));

export function compareLines(a: BillingLine, b: BillingLine): number {
  return (
    a.chargeDate.localeCompare(b.chargeDate) ||
    (kindOrder.get(a.kind) ?? 0) - (kindOrder.get(b.kind) ?? 0) ||
    a.id.localeCompare(b.id)
  );
}

/**
 * A subscription's name as its lines give it (the product name before the colon): taken from the append-only
 * lines rather than the mutable mirror, so a report written again is the same.
 */
function groupName(subscriptionId: string | null, lines: BillingLine[], facts?: SubscriptionFacts): string {
  if (subscriptionId === null) return 'Other charges';
  if (facts?.productName) return facts.productName;
  const first = lines.find((l) => l.kind !== 'correction') ?? lines[0];
  const prefix = first?.description
    .replace(/^Correction of /, '')
    .split(':')[0]
    ?.trim();
  return prefix && !prefix.includes(subscriptionId) ? prefix : (first?.productId ?? 'Subscription');
}

const seats = (quantity: number) => `${quantity} seat${quantity === 1 ? '' : 's'}`;

export function buildBillingReport(input: BillingReportInput): BillingReport {
  const { invoice } = input;
  const currency = invoice.currency;
  const lines = input.lines.filter((l) => l.cycle === invoice.cycle);
  const bySubscription = new Map<string | null, BillingLine[]>();
  for (const line of lines) {
    const key = line.subscriptionId ?? null;
    const group = bySubscription.get(key);
    if (group) group.push(line);
    else bySubscription.set(key, [line]);
  }
  const groups: SubscriptionGroup[] = [...bySubscription.entries()].map(([subscriptionId, group]) => {
    const facts = subscriptionId === null ? undefined : input.subscriptions?.get(subscriptionId);
    const name = groupName(subscriptionId, group, facts);
    return {
      subscriptionId,
      name,
      heading: facts ? `${name}, ${seats(facts.state.quantity)}, ${billingContractLabel(facts.state)}` : name,
      ...(facts ? { quantity: facts.state.quantity, term: billingContractLabel(facts.state) } : {}),
      lines: group.sort(compareLines),
      subtotal: money(sum(group.map((l) => dec(l.amount))), currency).amount,
    };
  });
  // Subscriptions by name (then id); charges of no subscription last.
  groups.sort((a, b) => {
    if ((a.subscriptionId === null) !== (b.subscriptionId === null)) return a.subscriptionId === null ? 1 : -1;
    return a.name.localeCompare(b.name, 'en') || (a.subscriptionId ?? '').localeCompare(b.subscriptionId ?? '');
  });
  // Two subscriptions of one product with the same heading are told apart by their order.
  const headings = new Map<string, SubscriptionGroup[]>();
  for (const group of groups) headings.set(group.heading, [...(headings.get(group.heading) ?? []), group]);
  for (const same of headings.values())
    if (same.length > 1)
      same.forEach((group, index) => (group.heading = `${group.heading} (${index + 1} of ${same.length})`));
  const byKind = lineKinds
    .map((kind) => {
      const ofKind = lines.filter((l) => l.kind === kind);
      return { kind, lines: ofKind.length, amount: money(sum(ofKind.map((l) => dec(l.amount))), currency).amount };
    })
    .filter((k) => k.lines > 0);
  return {
    partnerName: input.partner?.legalName ?? input.partnerName,
    partner: input.partner ?? { legalName: input.partnerName, accentColor: DEFAULT_ACCENT_COLOR },
    customer: input.customer,
    invoice,
    currency,
    decimals: currencyDecimals(currency),
    cycle: {
      start: invoice.cycleStart,
      end: invoice.cycle,
      lastDay: date(invoice.cycle).subtract({ days: 1 }).toString(),
    },
    groups,
    total: money(sum(lines.map((l) => dec(l.amount))), currency).amount,
    byKind,
    lineCount: lines.length,
  };
}

/** A decimal string in plain notation (never `1e-7`), as xs:decimal and CSV readers expect. */
export function plainDecimal(value: string): string {
  return dec(value).toFixed();
}

/**
 * Money in the currency's minor units (`7.20`, `22.00`, JPY `1500`): never fewer decimals than the currency has;
 * more only where the value itself has more (a rated usage price), which is never rounded away.
 */
export function minorUnits(value: string, decimals: number): string {
  const d = dec(value);
  return d.decimalPlaces() <= decimals ? d.toFixed(decimals) : d.toFixed();
}

/** The columns of the CSV export and their values: one row per line. */
export const csvColumns = [
  'cycle',
  'cycleStart',
  'invoiceId',
  'customerId',
  'subscriptionId',
  'subscriptionName',
  'lineId',
  'kind',
  'chargeDate',
  'periodStart',
  'periodEnd',
  'description',
  'productId',
  'meterId',
  'quantity',
  'unitPrice',
  'amount',
  'currency',
  'priceListId',
  'priceSource',
  'originalCycle',
  'correctsLineId',
] as const;
export type CsvColumn = (typeof csvColumns)[number];

export function* csvRows(report: BillingReport): Generator<Record<CsvColumn, string>> {
  for (const group of report.groups) {
    for (const line of group.lines) {
      yield {
        cycle: report.invoice.cycle,
        cycleStart: report.invoice.cycleStart,
        invoiceId: report.invoice.id,
        customerId: report.customer.id,
        subscriptionId: group.subscriptionId ?? '',
        subscriptionName: group.name,
        lineId: line.id,
        kind: line.kind,
        chargeDate: line.chargeDate,
        periodStart: line.periodStart,
        periodEnd: line.periodEnd,
        description: line.description,
        productId: line.productId ?? '',
        meterId: line.meterId ?? '',
        quantity: plainDecimal(line.quantity),
        unitPrice: minorUnits(line.unitPrice, report.decimals),
        amount: minorUnits(line.amount, report.decimals),
        currency: line.currency,
        priceListId: line.priceListId,
        priceSource: line.priceSource,
        originalCycle: line.originalCycle ?? '',
        correctsLineId: line.correctsLineId ?? '',
      };
    }
  }
}
