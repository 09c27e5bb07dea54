import { z } from 'zod';
import type { BillingLine } from './billing.ts';
import { dec, decimalStringSchema, money, sum, type Dec } from './money.ts';

/**
 * F-RECON: Microsoft's billed line items (the NCE invoice reconciliation) against the lines billed to the
 * customer, per subscription and month. Both sides are matched charge by charge: the same subscription, the same
 * kind of charge (a period's fee, seats added, seats removed) and the same charge date. What matches is compared
 * (quantity, period, price against cost); what does not is named. Amounts stay decimal strings rounded per line.
 */
export const microsoftChargeTypes = [
  'new',
  'renew',
  'cycleCharge',
  'addQuantity',
  'removeQuantity',
  'cancelImmediate',
] as const;
export type MicrosoftChargeType = (typeof microsoftChargeTypes)[number];

/** One line of Microsoft's invoice reconciliation (license-based, new commerce), as imported. */
export const microsoftBilledLineSchema = z
  .object({
    /** Deterministic id: the same Microsoft line imported twice is one row. */
    id: z.string(),
    /** Calendar month of the charge, `YYYY-MM`. */
    month: z.string().regex(/^\d{4}-\d{2}$/),
    customerTenantId: z.string(),
    subscriptionId: z.string(),
    productId: z.string(),
    productName: z.string(),
    chargeType: z.enum(microsoftChargeTypes),
    chargeStartDate: z.iso.date(),
    chargeEndDate: z.iso.date(),
    /** Seats charged (negative for a refund). */
    quantity: decimalStringSchema,
    /** The partner's cost of one seat for one billing period (Microsoft's `effectiveUnitPrice`). */
    unitPrice: decimalStringSchema,
    /** Microsoft's `subtotal`: what Microsoft charges the partner for this line (negative for credits). */
    amount: decimalStringSchema,
    currency: z.string().length(3),
    invoiceId: z.string().optional(),
    /** `simulator`, `graph` or `partnerCenter`. */
    source: z.string(),
  })
  .meta({ id: 'MicrosoftBilledLine' });
export type MicrosoftBilledLine = z.infer<typeof microsoftBilledLineSchema>;

export const mismatchKinds = [
  'awaitingBilling',
  'chargedNotBilled',
  'refundNotPassedOn',
  'billedNotCharged',
  'quantityDifference',
  'periodDifference',
  'priceBelowCost',
] as const;
export type MismatchKind = (typeof mismatchKinds)[number];

export const mismatchSchema = z
  .object({
    kind: z.enum(mismatchKinds),
    subscriptionId: z.string(),
    chargeDate: z.iso.date(),
    /** What happened, in a sentence a partner reads. */
    description: z.string(),
    /** Microsoft's amount on the line (absent for a line Microsoft never charged). */
    microsoftAmount: decimalStringSchema.optional(),
    /** The customer's amount (absent for a charge never billed). */
    billedAmount: decimalStringSchema.optional(),
    /** The money at stake: margin the partner loses (positive) or the customer was overcharged (negative). */
    impact: decimalStringSchema,
    microsoftLineId: z.string().optional(),
    billingLineId: z.string().optional(),
  })
  .meta({ id: 'ReconciliationMismatch' });
export type Mismatch = z.infer<typeof mismatchSchema>;

export const subscriptionReconciliationSchema = z
  .object({
    subscriptionId: z.string(),
    productName: z.string(),
    microsoftCost: decimalStringSchema,
    billed: decimalStringSchema,
    margin: decimalStringSchema,
    /** margin ÷ billed × 100, two decimals; absent when nothing was billed. */
    marginPercent: decimalStringSchema.optional(),
    mismatches: z.array(mismatchSchema),
  })
  .meta({ id: 'SubscriptionReconciliation' });
export type SubscriptionReconciliation = z.infer<typeof subscriptionReconciliationSchema>;

export const customerReconciliationSchema = z
  .object({
    month: z.string(),
    customerId: z.uuid(),
    customerName: z.string(),
    currency: z.string().length(3),
    microsoftCost: decimalStringSchema,
    billed: decimalStringSchema,
    margin: decimalStringSchema,
    marginPercent: decimalStringSchema.optional(),
    /** Margin lost: charges Microsoft made that the customer was not billed, net (0 when none). */
    leakage: decimalStringSchema,
    mismatchCount: z.number().int().min(0),
    /** Customer cycles with charge dates in the month that are not billed yet: their lines cannot be compared. */
    unbilledCycles: z.array(z.iso.date()),
    subscriptions: z.array(subscriptionReconciliationSchema),
  })
  .meta({ id: 'CustomerReconciliation' });
export type CustomerReconciliation = z.infer<typeof customerReconciliationSchema>;

type ChargeClass = 'fee' | 'add' | 'remove';

const classOfMicrosoft: Record<MicrosoftChargeType, ChargeClass> = {
  new: 'fee',
  renew: 'fee',
  cycleCharge: 'fee',
  addQuantity: 'add',
  removeQuantity: 'remove',
  cancelImmediate: 'remove',
};

function classOfBilled(line: BillingLine): ChargeClass | undefined {
  if (line.kind === 'cycleFee') return 'fee';
  if (line.kind === 'proRata') return 'add';
  if (line.kind === 'refund') return 'remove';
  return undefined;
}

/** The calendar month `YYYY-MM` as a half-open date range. */
export function monthRange(month: string): { from: string; to: string } {
  const [y, m] = month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  return { from: `${month}-01`, to: `${next}-01` };
}

const fixed = (value: Dec, currency: string) => money(value, currency).amount;

/**
 * Reconciles one customer's month. `billed` holds the customer's billing lines whose charge date is in the month
 * (corrections included: they count toward what was billed but match no single Microsoft charge); `microsoft` holds
 * Microsoft's lines of the customer's tenant for the month.
 */
export function reconcileCustomer(input: {
  month: string;
  customerId: string;
  customerName: string;
  currency: string;
  microsoft: MicrosoftBilledLine[];
  billed: BillingLine[];
  productNames: ReadonlyMap<string, string>;
  unbilledCycles?: string[];
  /** Charge dates in these half-open ranges belong to cycles not billed yet: not leakage, only awaiting billing. */
  pending?: { from: string; to: string }[];
}): CustomerReconciliation {
  const isPending = (d: string) => (input.pending ?? []).some((r) => d >= r.from && d < r.to);
  const { currency } = input;
  const bySubscription = new Map<string, { ms: MicrosoftBilledLine[]; ours: BillingLine[] }>();
  const slot = (id: string) => {
    let entry = bySubscription.get(id);
    if (!entry) bySubscription.set(id, (entry = { ms: [], ours: [] }));
    return entry;
  };
  for (const line of input.microsoft) slot(line.subscriptionId).ms.push(line);
  for (const line of input.billed) {
    if (!line.subscriptionId || line.kind === 'usage' || line.kind === 'oneOff') continue;
    slot(line.subscriptionId).ours.push(line);
  }

  const subscriptions: SubscriptionReconciliation[] = [];
  for (const [subscriptionId, { ms, ours }] of [...bySubscription.entries()].sort(([a], [b]) => a.localeCompare(b))) {
    const mismatches: Mismatch[] = [];
    const unmatched = new Set(ours.filter((l) => classOfBilled(l) !== undefined));
    const msSorted = [...ms].sort(
      (a, b) => a.chargeStartDate.localeCompare(b.chargeStartDate) || a.id.localeCompare(b.id),
    );
    for (const charge of msSorted) {
      const cls = classOfMicrosoft[charge.chargeType];
      const match = [...unmatched].find((l) => l.chargeDate === charge.chargeStartDate && classOfBilled(l) === cls);
      if (!match && isPending(charge.chargeStartDate)) {
        mismatches.push({
          kind: 'awaitingBilling',
          subscriptionId,
          chargeDate: charge.chargeStartDate,
          description: `Microsoft charged ${fmtQty(charge.quantity)} seat(s) from ${charge.chargeStartDate} (${charge.chargeType}); the customer's cycle holding that date is not billed yet.`,
          microsoftAmount: charge.amount,
          impact: '0',
          microsoftLineId: charge.id,
        });
        continue;
      }
      if (!match) {
        const refund = dec(charge.amount).isNegative();
        mismatches.push({
          kind: refund ? 'refundNotPassedOn' : 'chargedNotBilled',
          subscriptionId,
          chargeDate: charge.chargeStartDate,
          description: refund
            ? `Microsoft credited ${fmtQty(charge.quantity)} seat(s) from ${charge.chargeStartDate} (${charge.chargeType}); the customer was not refunded.`
            : `Microsoft charged ${fmtQty(charge.quantity)} seat(s) from ${charge.chargeStartDate} (${charge.chargeType}); the customer was not billed.`,
          microsoftAmount: charge.amount,
          impact: charge.amount,
          microsoftLineId: charge.id,
        });
        continue;
      }
      unmatched.delete(match);
      if (!dec(match.quantity).equals(dec(charge.quantity))) {
        mismatches.push({
          kind: 'quantityDifference',
          subscriptionId,
          chargeDate: charge.chargeStartDate,
          description: `Microsoft charged ${fmtQty(charge.quantity)} seat(s), the customer was billed ${fmtQty(match.quantity)}.`,
          microsoftAmount: charge.amount,
          billedAmount: match.amount,
          impact: fixed(
            dec(charge.amount).minus(dec(charge.unitPrice).times(dec(match.quantity)).times(ratio(charge))),
            currency,
          ),
          microsoftLineId: charge.id,
          billingLineId: match.id,
        });
      } else if (match.periodEnd !== charge.chargeEndDate) {
        mismatches.push({
          kind: 'periodDifference',
          subscriptionId,
          chargeDate: charge.chargeStartDate,
          description: `Microsoft charged the period up to ${charge.chargeEndDate}, the customer was billed up to ${match.periodEnd}.`,
          microsoftAmount: charge.amount,
          billedAmount: match.amount,
          impact: '0',
          microsoftLineId: charge.id,
          billingLineId: match.id,
        });
      }
      if (dec(match.unitPrice).lessThan(dec(charge.unitPrice))) {
        mismatches.push({
          kind: 'priceBelowCost',
          subscriptionId,
          chargeDate: charge.chargeStartDate,
          description: `Billed at ${match.unitPrice} ${currency} a seat, below Microsoft's cost of ${charge.unitPrice}.`,
          microsoftAmount: charge.amount,
          billedAmount: match.amount,
          impact: fixed(dec(charge.amount).minus(dec(match.amount)), currency),
          microsoftLineId: charge.id,
          billingLineId: match.id,
        });
      }
    }
    for (const line of unmatched) {
      mismatches.push({
        kind: 'billedNotCharged',
        subscriptionId,
        chargeDate: line.chargeDate,
        description: `The customer was billed ${line.description}, which Microsoft did not charge.`,
        billedAmount: line.amount,
        impact: fixed(dec(line.amount).negated(), currency),
        billingLineId: line.id,
      });
    }
    const microsoftCost = sum(ms.map((l) => dec(l.amount)));
    const billed = sum(ours.map((l) => dec(l.amount)));
    subscriptions.push({
      subscriptionId,
      productName:
        input.productNames.get(subscriptionId) ?? ms[0]?.productName ?? ours[0]?.description ?? subscriptionId,
      microsoftCost: fixed(microsoftCost, currency),
      billed: fixed(billed, currency),
      margin: fixed(billed.minus(microsoftCost), currency),
      ...percent(billed.minus(microsoftCost), billed),
      mismatches: mismatches.sort((a, b) => a.chargeDate.localeCompare(b.chargeDate) || a.kind.localeCompare(b.kind)),
    });
  }

  const microsoftCost = sum(subscriptions.map((s) => dec(s.microsoftCost)));
  const billed = sum(subscriptions.map((s) => dec(s.billed)));
  const leakage = sum(
    subscriptions.flatMap((s) =>
      s.mismatches
        .filter((m) => m.kind === 'chargedNotBilled' || m.kind === 'priceBelowCost')
        .map((m) => dec(m.impact)),
    ),
  );
  return {
    month: input.month,
    customerId: input.customerId,
    customerName: input.customerName,
    currency,
    microsoftCost: fixed(microsoftCost, currency),
    billed: fixed(billed, currency),
    margin: fixed(billed.minus(microsoftCost), currency),
    ...percent(billed.minus(microsoftCost), billed),
    leakage: fixed(leakage, currency),
    mismatchCount: subscriptions.reduce((n, s) => n + s.mismatches.length, 0),
    unbilledCycles: input.unbilledCycles ?? [],
    subscriptions,
  };
}

/** The share of a billing period a Microsoft line covers (its amount ÷ (unit price × quantity)). */
function ratio(charge: MicrosoftBilledLine): Dec {
  const whole = dec(charge.unitPrice).times(dec(charge.quantity));
  return whole.isZero() ? dec(1) : dec(charge.amount).dividedBy(whole);
}

function percent(margin: Dec, billed: Dec): { marginPercent?: string } {
  if (billed.isZero()) return {};
  return { marginPercent: margin.dividedBy(billed).times(100).toDecimalPlaces(2).toFixed(2) };
}

const fmtQty = (q: string) => dec(q).abs().toString();
