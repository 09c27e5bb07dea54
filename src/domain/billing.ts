import { z } from 'zod';
import { decimalStringSchema } from './money.ts';

/**
 * F-BILLING: the lines of a customer's bill. Lines are append-only and reproducible (DESIGN rule 10): each has
 * a deterministic id, re-running a cycle adds nothing, and a line that becomes known after its cycle closed
 * goes to the next open cycle as a correction that keeps its own dates.
 */
export const lineKinds = ['cycleFee', 'proRata', 'refund', 'usage', 'oneOff', 'correction'] as const;
export type LineKind = (typeof lineKinds)[number];

export const billingLineSchema = z
  .object({
    /** Deterministic: the same facts always give the same id. */
    id: z.string(),
    customerId: z.uuid(),
    /** The customer cycle the line is billed in, named by its end date (`2026-03-16` for [02-16, 03-16)). */
    cycle: z.iso.date(),
    kind: z.enum(lineKinds),
    /** The date that decides the cycle: a period start for a fee, the change date for pro-rata and refunds. */
    chargeDate: z.iso.date(),
    /** The service period the line covers, half-open. */
    periodStart: z.iso.date(),
    periodEnd: z.iso.date(),
    subscriptionId: z.string().optional(),
    productId: z.string().optional(),
    description: z.string(),
    /** Azure usage: the meter. */
    meterId: z.string().optional(),
    quantity: decimalStringSchema,
    unitPrice: decimalStringSchema,
    /** Rounded once, half-up, to the currency's decimals. */
    amount: decimalStringSchema,
    currency: z.string().length(3),
    /** Which list priced it: `global`, the customer id, `usage` (cost × mark-up) or `manual`. */
    priceListId: z.string(),
    priceSource: z.enum(['customer', 'global', 'usage', 'manual']),
    /** A correction: the cycle the line belonged to when it became known late. */
    originalCycle: z.iso.date().optional(),
    /** A correction of an earlier line: that line's id. */
    correctsLineId: z.string().optional(),
    /** A refund: the fee line of the billing period whose seats it gives back. */
    refundsLineId: z.string().optional(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'BillingLine' });
export type BillingLine = z.infer<typeof billingLineSchema>;

export const invoiceSchema = z
  .object({
    id: z.string(),
    customerId: z.uuid(),
    cycle: z.iso.date(),
    cycleStart: z.iso.date(),
    /** Issue date: the cycle's end (a cycle ending on the 15th is reported on the 16th: end is exclusive). */
    issuedOn: z.iso.date(),
    currency: z.string().length(3),
    /** Sum of the rounded lines. */
    total: decimalStringSchema,
    lineCount: z.number().int().min(0),
    status: z.enum(['open', 'paid']),
    paidAt: z.iso.datetime().optional(),
    paidBy: z.string().optional(),
    createdAt: z.iso.datetime(),
  })
  .meta({ id: 'Invoice' });
export type Invoice = z.infer<typeof invoiceSchema>;

/** The billing run of a month: every customer cycle ending in it (stored; the API adds its failures). */
export const billingRunSchema = z.object({
  id: z.string(),
  period: z.string(),
  /**
   * `completing`: every customer has a result and one consumer is writing the manifest and telling the partner; a
   * run left `completing` (a crash there) is finished by the next consumer or the daily timer after the lease.
   */
  status: z.enum(['running', 'completing', 'completed', 'completedWithFailures']),
  requestedBy: z.string(),
  startedAt: z.string(),
  updatedAt: z.string(),
  completedAt: z.string().optional(),
  /** When the current finisher of a `completing` run took it (its lease starts then). */
  completingAt: z.string().optional(),
  /** When every customer's message was enqueued (a start interrupted before it is redone). */
  queuedAt: z.string().optional(),
  customersTotal: z.number().int(),
  customersDone: z.number().int(),
  customersFailed: z.number().int(),
  customersNotDue: z.number().int(),
});
export type BillingRun = z.infer<typeof billingRunSchema>;

/** One day of rated Azure usage for one meter of one subscription (F-USAGE). */
export const usageRecordSchema = z.object({
  customerId: z.uuid(),
  subscriptionId: z.string(),
  meterId: z.string(),
  meterName: z.string(),
  meterCategory: z.string().optional(),
  unitOfMeasure: z.string(),
  /** UTC date of use. */
  date: z.iso.date(),
  quantity: decimalStringSchema,
  /** Raw (partner) cost of that day, before the mark-up. */
  cost: decimalStringSchema,
  currency: z.string().length(3),
  /** Where it came from: `graph` export, `simulator`, or `import:{fileHash}`. */
  source: z.string(),
});
export type UsageRecord = z.infer<typeof usageRecordSchema>;
