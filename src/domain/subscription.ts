import { z } from 'zod';
import { billingFrequencies, terms } from './calendar.ts';
import { decimalStringSchema } from './money.ts';
import { purchaseRequestSchema } from './purchase.ts';

/**
 * The portal's mirror of a Microsoft subscription (Microsoft is the system of record), plus what Microsoft
 * does not keep: the customer's locked unit price, the seats assigned to users, the product's limits.
 */
export const subscriptionStatuses = ['active', 'suspended', 'expired', 'deleted'] as const;

export const subscriptionRecordSchema = z.object({
  id: z.string(),
  customerId: z.uuid(),
  customerTenantId: z.uuid(),
  orderId: z.string(),
  productId: z.string(),
  productName: z.string(),
  catalogItemId: z.string(),
  skuPartNumber: z.string().optional(),
  isNce: z.boolean(),
  parentSubscriptionId: z.string().optional(),
  quantity: z.number().int().min(0),
  /** Licenses of this subscription assigned to users (never decrease below it). */
  assignedQuantity: z.number().int().min(0),
  /** When `assignedQuantity` was last read from the directory (absent: not since the mirror was made). */
  assignedAt: z.iso.datetime().optional(),
  minQuantity: z.number().int().min(0),
  maxQuantity: z.number().int().min(1),
  status: z.enum(subscriptionStatuses),
  term: z.enum(terms),
  billingFrequency: z.enum(billingFrequencies),
  /** First day of the subscription (UTC date). */
  startDate: z.iso.date(),
  termStartDate: z.iso.date(),
  /** Renewal date: the term's end and the end of the price lock. */
  termEndDate: z.iso.date(),
  autoRenew: z.boolean(),
  cancellationAllowedUntil: z.iso.datetime().optional(),
  refundable: z.array(z.object({ quantity: z.number().int().positive(), allowedUntil: z.iso.datetime() })),
  /** Price of one seat for one billing period, locked for the term. */
  unitPrice: decimalStringSchema,
  currency: z.string().length(3),
  priceListId: z.string(),
  priceSource: z.enum(['customer', 'global']),
  /** Microsoft's scheduled next-term instructions, mirrored. */
  scheduledQuantity: z.number().int().positive().optional(),
  /** Set while a change is being sent to Microsoft, so that a concurrent change waits. */
  lock: z.object({ operationId: z.string(), until: z.iso.datetime() }).optional(),
  syncedAt: z.iso.datetime(),
});
export type SubscriptionRecord = z.infer<typeof subscriptionRecordSchema>;

export const effectivePolicies = ['immediately', 'onRenewal', 'custom'] as const;
export type EffectivePolicy = (typeof effectivePolicies)[number];

const effective = {
  effective: z.enum(effectivePolicies),
  /** Required with `custom`: the UTC date the change takes effect. */
  effectiveDate: z.iso.date().optional(),
  /** Repeat the request with `true` after a BILLING.CONFIRMATION_REQUIRED answer. */
  confirmBillingChange: z.boolean().optional(),
};

/** The kinds of change to an existing subscription, each effective immediately, on renewal or on a date. */
export const changeVariants = [
  z.strictObject({ kind: z.literal('quantity'), quantity: z.number().int().min(1).max(1_000_000), ...effective }),
  z.strictObject({ kind: z.literal('suspend'), ...effective }),
  z.strictObject({ kind: z.literal('reactivate'), ...effective }),
  z.strictObject({ kind: z.literal('cancel'), ...effective }),
  z.strictObject({ kind: z.literal('autoRenew'), enabled: z.boolean(), ...effective }),
] as const;

/** `effectiveDate` goes with `custom` and only with it. */
export function checkEffectiveDate(
  change: { effective: EffectivePolicy; effectiveDate?: string | undefined },
  ctx: z.RefinementCtx,
): void {
  if (change.effective === 'custom' && !change.effectiveDate) {
    ctx.addIssue({ code: 'custom', path: ['effectiveDate'], message: 'required when effective is custom' });
  }
  if (change.effective !== 'custom' && change.effectiveDate) {
    ctx.addIssue({ code: 'custom', path: ['effectiveDate'], message: 'only with effective custom' });
  }
}

export const changeRequestSchema = z
  .discriminatedUnion('kind', changeVariants)
  .superRefine(checkEffectiveDate)
  .meta({
    examples: [
      { kind: 'quantity', quantity: 12, effective: 'immediately' },
      { kind: 'quantity', quantity: 8, effective: 'onRenewal' },
    ],
  });
export type ChangeRequest = z.infer<typeof changeRequestSchema>;
export type ChangeKind = ChangeRequest['kind'];

export const futureChangeStatuses = ['pending', 'applying', 'applied', 'failed', 'cancelled'] as const;

/** A change stored to be applied later (F-FUTURE); the row is the truth, messages only trigger it. */
export const futureChangeSchema = z.object({
  id: z.string(),
  customerId: z.uuid(),
  subscriptionId: z.string(),
  change: z.union([changeRequestSchema, purchaseRequestSchema.extend({ kind: z.literal('purchase') })]),
  effective: z.enum(['onRenewal', 'custom']),
  effectiveDate: z.iso.date(),
  status: z.enum(futureChangeStatuses),
  failureReason: z.string().optional(),
  requestedBy: z.string(),
  requestedAt: z.iso.datetime(),
  updatedAt: z.iso.datetime(),
  /** Applications tried so far (a crashed or throttled one counts). */
  attempts: z.number().int().min(0).default(0),
  /** While `applying`: until when the applier holds it; after that the sweep may take over. */
  leaseUntil: z.iso.datetime().optional(),
  /** The Service Bus sequence number of its scheduled message, to cancel it with the change. */
  messageSequenceNumber: z.string().optional(),
  /** For a scheduled purchase: the subscription it created. */
  createdSubscriptionId: z.string().optional(),
  appliedAt: z.iso.datetime().optional(),
});

/** The instant a future change falls due: a renewal from 00:30 UTC (after Microsoft's renewal run), a date from 00:00 UTC. */
export function dueAt(change: Pick<FutureChange, 'effective' | 'effectiveDate'>): Date {
  return new Date(`${change.effectiveDate}T${change.effective === 'onRenewal' ? '00:30' : '00:00'}:00.000Z`);
}
export type FutureChange = z.infer<typeof futureChangeSchema>;

export const changeSources = ['portal', 'schedule', 'sync'] as const;

/** One transaction in the append-only change log (F-LOG). */
export const changeLogEntrySchema = z.object({
  id: z.string(),
  customerId: z.uuid(),
  at: z.iso.datetime(),
  actor: z.string(),
  source: z.enum(changeSources),
  action: z.string(),
  subscriptionId: z.string().optional(),
  productName: z.string().optional(),
  before: z.record(z.string(), z.unknown()).optional(),
  after: z.record(z.string(), z.unknown()).optional(),
  effective: z.enum(effectivePolicies).optional(),
  effectiveDate: z.iso.date().optional(),
  detail: z.string().optional(),
});
export type ChangeLogEntry = z.infer<typeof changeLogEntrySchema>;

/**
 * A subscription's state as written in each change-log entry (`before`/`after`): what the billing engine
 * replays to find the seats held on each day, so bills come from history rather than from mutable totals.
 */
export const subscriptionStateSchema = z.object({
  productId: z.string(),
  quantity: z.number().int().min(0),
  status: z.enum(subscriptionStatuses),
  autoRenew: z.boolean(),
  term: z.enum(terms),
  billingFrequency: z.enum(billingFrequencies),
  termStartDate: z.iso.date(),
  termEndDate: z.iso.date(),
  scheduledRenewalQuantity: z.number().int().optional(),
});
export type SubscriptionState = z.infer<typeof subscriptionStateSchema>;

export function stateOf(record: SubscriptionRecord): SubscriptionState {
  return {
    productId: record.productId,
    quantity: record.quantity,
    status: record.status,
    autoRenew: record.autoRenew,
    term: record.term,
    billingFrequency: record.billingFrequency,
    termStartDate: record.termStartDate,
    termEndDate: record.termEndDate,
    ...(record.scheduledQuantity ? { scheduledRenewalQuantity: record.scheduledQuantity } : {}),
  };
}

/** What the portal groups My Services by: the commitment term and billing frequency. */
export function billingContractOf(record: Pick<SubscriptionRecord, 'term' | 'billingFrequency'>): string {
  return `${record.term}/${record.billingFrequency}`;
}

const termLabels = { P1M: '1-month term', P1Y: '1-year term', P3Y: '3-year term' } as const;

export function billingContractLabel(record: Pick<SubscriptionRecord, 'term' | 'billingFrequency'>): string {
  return `${termLabels[record.term]}, billed ${record.billingFrequency}`;
}
