import { z } from 'zod';
import type { SourceLine } from '../../app/ports/reconciliation.port.ts';
import { lineId } from '../../domain/billing-lines.ts';
import { date } from '../../domain/calendar.ts';
import { dec } from '../../domain/money.ts';
import { microsoftChargeTypes, type MicrosoftChargeType } from '../../domain/reconciliation.ts';

/**
 * One license-based (new commerce) billed line item as Microsoft writes it, in both of its sources: Microsoft
 * Graph's billed reconciliation export and Partner Center's invoice line items (`OneTimeInvoiceLineItem`). Both
 * carry `customerId` (the customer's tenant; Partner Center's older rows prefix it with `org:`), `subscriptionId`,
 * `productId`/`skuId`, `chargeType`, `chargeStartDate`/`chargeEndDate` (the end is the last day charged,
 * inclusive), `quantity`, `unitPrice`/`effectiveUnitPrice` and `subtotal` (what the partner pays, before tax),
 * `currency` and `invoiceNumber`; numbers come as JSON numbers or as strings.
 */
const decimalText = /^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$/;
const amount = z.union([z.number().finite(), z.string().trim().regex(decimalText)]).transform((v) => dec(v).toString());
const day = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}/)
  .transform((v) => v.slice(0, 10));

export const billedRowSchema = z.object({
  customerId: z
    .string()
    .min(1)
    .transform((v) => v.replace(/^org:/i, '').toLowerCase()),
  subscriptionId: z.string().min(1),
  productId: z.string().min(1),
  skuId: z.string().nullish(),
  productName: z.string().nullish(),
  skuName: z.string().nullish(),
  chargeType: z.string(),
  chargeStartDate: day,
  chargeEndDate: day,
  quantity: amount,
  effectiveUnitPrice: amount.nullish(),
  unitPrice: amount.nullish(),
  subtotal: amount,
  currency: z.string().regex(/^[A-Z]{3}$/),
  invoiceNumber: z.string().nullish(),
});

/** Why rows of a pull were left out, counted for one log line. */
export type SkippedRows = {
  unreadable: number;
  chargeType: number;
  otherMonth: number;
};

export const noneSkipped = (): SkippedRows => ({ unreadable: 0, chargeType: 0, otherMonth: 0 });

/** Microsoft writes charge types in several casings (`cycleCharge`, `CycleCharge`, `Cycle charge`). */
function chargeTypeOf(value: string): MicrosoftChargeType | undefined {
  const key = value.replace(/\s+/g, '').toLowerCase();
  return microsoftChargeTypes.find((t) => t.toLowerCase() === key);
}

/**
 * The line of the month `[from, to)` that a raw row is, or why it is not one: unreadable, a charge type that is
 * not a license charge (credits, conversions), or a charge starting in another month.
 */
export function billedLine(
  raw: unknown,
  window: { from: string; to: string },
  source: string,
  invoiceId: string,
): SourceLine | keyof SkippedRows {
  const parsed = billedRowSchema.safeParse(raw);
  if (!parsed.success) return 'unreadable';
  const r = parsed.data;
  const chargeType = chargeTypeOf(r.chargeType);
  if (!chargeType) return 'chargeType';
  if (r.chargeStartDate < window.from || r.chargeStartDate >= window.to) return 'otherMonth';
  const productId = r.skuId ? `${r.productId}:${r.skuId}` : r.productId;
  return {
    id: lineId(
      source,
      invoiceId,
      r.subscriptionId,
      chargeType,
      r.chargeStartDate,
      r.chargeEndDate,
      r.quantity,
      r.subtotal,
    ),
    customerTenantId: r.customerId,
    subscriptionId: r.subscriptionId.toLowerCase(),
    productId,
    productName: r.skuName ?? r.productName ?? productId,
    chargeType,
    chargeStartDate: r.chargeStartDate,
    // Microsoft's end date is the period's last day; ours are half-open.
    chargeEndDate: date(r.chargeEndDate).add({ days: 1 }).toString(),
    quantity: r.quantity,
    unitPrice: r.effectiveUnitPrice ?? r.unitPrice ?? '0',
    amount: r.subtotal,
    currency: r.currency,
    invoiceId: r.invoiceNumber || invoiceId,
    source,
  };
}
