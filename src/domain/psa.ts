import { z } from 'zod';
import type { BillingLine } from './billing.ts';
import { dec, decimalStringSchema, money, type Dec } from './money.ts';

/**
 * F-PSA: the partner's PSA (ConnectWise Manage or Autotask) as the place its billing continues. A mapping ties each
 * customer to a PSA company and agreement (an Autotask account and contract) and each product to a PSA product (an
 * Autotask service); each billing cycle's lines become agreement additions: quantity, unit price and unit cost per
 * seat for the line's service period (a pro-rata line carries its prorated per-seat price), the extended price equal
 * to the billed amount to the cent, and the effective dates.
 */
export const psaKinds = ['connectwise', 'autotask'] as const;
export type PsaKind = (typeof psaKinds)[number];

const psaId = z
  .string()
  .trim()
  .min(1)
  .max(100)
  // eslint-disable-next-line no-control-regex -- the C0/C1 controls (\p{Cc}), spelled so OpenAPI tools without the u flag read the same
  .regex(/^[^\u0000-\u001f\u007f-\u009f,"]*$/, 'no control characters, commas or quotes');

export const psaMappingSchema = z
  .strictObject({
    customers: z
      .array(
        z.strictObject({
          customerId: z.uuid(),
          /** ConnectWise company identifier / Autotask account id. */
          companyId: psaId,
          /** ConnectWise agreement id / Autotask contract id the additions are added to. */
          agreementId: psaId,
        }),
      )
      .max(10_000),
    products: z
      .array(
        z.strictObject({
          /** Our product id (offer id:SKU id). */
          productId: z.string().min(1).max(100),
          /** ConnectWise product identifier / Autotask service id. */
          psaProductId: psaId,
        }),
      )
      .max(5_000),
    /** PSA product for lines with no product (one-off charges); without it they are left out and listed. */
    otherChargesProductId: psaId.optional(),
  })
  .meta({ id: 'PsaMapping' });
export type PsaMapping = z.infer<typeof psaMappingSchema>;

export const agreementAdditionSchema = z
  .object({
    /** Deterministic: the billing line it comes from. */
    id: z.string(),
    customerId: z.uuid(),
    companyId: z.string(),
    agreementId: z.string(),
    psaProductId: z.string(),
    description: z.string(),
    quantity: decimalStringSchema,
    /** Per seat for the line's service period, four decimals (prorated for pro-rata and refund lines). */
    unitPrice: decimalStringSchema,
    unitCost: decimalStringSchema,
    /** The billed amount, to the cent. */
    extendedPrice: decimalStringSchema,
    extendedCost: decimalStringSchema,
    currency: z.string().length(3),
    effectiveDate: z.iso.date(),
    /** Last day of the service period (inclusive, as PSAs show it). */
    endDate: z.iso.date(),
    cycle: z.iso.date(),
  })
  .meta({ id: 'AgreementAddition' });
export type AgreementAddition = z.infer<typeof agreementAdditionSchema>;

const perSeat = (amount: Dec, quantity: Dec) =>
  quantity.isZero() ? dec(0) : amount.dividedBy(quantity).toDecimalPlaces(4); // Dec rounds half-up

/**
 * The addition of one billing line; `cost` is the partner's cost of one seat for one billing period (the price
 * list's cost of the line's price) and `share` the part of that period the line covers (days ÷ days for a pro-rata
 * line or refund, 1 for a period's fee). An unmapped customer or product comes back as such.
 */
export function additionOf(
  line: BillingLine,
  mapping: PsaMapping,
  cost: Dec,
  share: Dec,
): AgreementAddition | { unmapped: 'customer' | 'product'; lineId: string; productId?: string } {
  const customer = mapping.customers.find((c) => c.customerId === line.customerId);
  if (!customer) return { unmapped: 'customer', lineId: line.id };
  const product = line.productId
    ? mapping.products.find((p) => p.productId === line.productId)?.psaProductId
    : mapping.otherChargesProductId;
  if (!product)
    return { unmapped: 'product', lineId: line.id, ...(line.productId ? { productId: line.productId } : {}) };
  const quantity = dec(line.quantity);
  const amount = dec(line.amount);
  const extendedCost = money(cost.times(quantity).times(share), line.currency).amount;
  const end = new Date(`${line.periodEnd}T00:00:00Z`);
  end.setUTCDate(end.getUTCDate() - 1);
  return {
    id: line.id,
    customerId: line.customerId,
    companyId: customer.companyId,
    agreementId: customer.agreementId,
    psaProductId: product,
    description: line.description,
    quantity: quantity.toString(),
    unitPrice: perSeat(amount, quantity).toFixed(4),
    unitCost: perSeat(dec(extendedCost), quantity).toFixed(4),
    extendedPrice: line.amount,
    extendedCost,
    currency: line.currency,
    effectiveDate: line.periodStart,
    endDate: end.toISOString().slice(0, 10),
    cycle: line.cycle,
  };
}

/** The CSV columns each PSA's import takes, in order, and how an addition fills them. */
export const psaCsvLayouts: Record<PsaKind, { header: string; value: (a: AgreementAddition) => string }[]> = {
  // ConnectWise Manage: Finance > Agreements > Additions import.
  connectwise: [
    { header: 'Agreement ID', value: (a) => a.agreementId },
    { header: 'Company ID', value: (a) => a.companyId },
    { header: 'Product ID', value: (a) => a.psaProductId },
    { header: 'Description', value: (a) => a.description },
    { header: 'Quantity', value: (a) => a.quantity },
    { header: 'Unit Price', value: (a) => a.unitPrice },
    { header: 'Unit Cost', value: (a) => a.unitCost },
    { header: 'Extended Price', value: (a) => a.extendedPrice },
    { header: 'Extended Cost', value: (a) => a.extendedCost },
    { header: 'Effective Date', value: (a) => usDate(a.effectiveDate) },
    { header: 'Cancelled Date', value: (a) => (dec(a.quantity).isNegative() ? usDate(a.effectiveDate) : '') },
    { header: 'Bill Customer', value: () => 'Billable' },
    { header: 'Taxable', value: () => 'Y' },
  ],
  // Autotask: Contracts > Services import (recurring service units of a contract).
  autotask: [
    { header: 'Contract ID', value: (a) => a.agreementId },
    { header: 'Account ID', value: (a) => a.companyId },
    { header: 'Service ID', value: (a) => a.psaProductId },
    { header: 'Invoice Description', value: (a) => a.description },
    { header: 'Units', value: (a) => a.quantity },
    { header: 'Unit Price', value: (a) => a.unitPrice },
    { header: 'Unit Cost', value: (a) => a.unitCost },
    { header: 'Extended Price', value: (a) => a.extendedPrice },
    { header: 'Start Date', value: (a) => usDate(a.effectiveDate) },
    { header: 'End Date', value: (a) => usDate(a.endDate) },
    { header: 'Currency', value: (a) => a.currency },
  ],
};

/** MM/DD/YYYY, the date format both PSAs' imports read. */
function usDate(iso: string): string {
  const [y, m, d] = iso.split('-');
  return `${m}/${d}/${y}`;
}
