import { z } from 'zod';
import { billingFrequencies, terms } from './calendar.ts';

/** F-BUY: what a customer orders from the catalog. */
export const purchaseRequestSchema = z
  .strictObject({
    productId: z
      .string()
      .regex(/^[A-Za-z0-9]{4,20}:[A-Za-z0-9]{1,10}$/, 'a catalog product id such as CFQ7TTC0LCHC:0002'),
    term: z.enum(terms),
    billingFrequency: z.enum(billingFrequencies),
    quantity: z.number().int().min(1).max(1_000_000),
    /** A future start date (UTC); omitted or today means now. */
    startDate: z.iso.date().optional(),
    /** For an add-on: the base subscription it attaches to. */
    parentSubscriptionId: z.string().min(1).max(64).optional(),
    confirmBillingChange: z.boolean().optional(),
  })
  .meta({ id: 'PurchaseRequest' });
export type PurchaseRequest = z.infer<typeof purchaseRequestSchema>;

export const idempotencyKeySchema = z.string().regex(/^[A-Za-z0-9_-]{8,64}$/, '8 to 64 letters, digits, - or _');

/**
 * F-CHANGE "add-on" on an existing subscription: an add-on bought under it, now or on a date, on the base's
 * term and billing frequency unless others are asked.
 */
export const addOnChangeSchema = z.strictObject({
  kind: z.literal('addOn'),
  productId: purchaseRequestSchema.shape.productId,
  quantity: z.number().int().min(1).max(1_000_000),
  term: z.enum(terms).optional(),
  billingFrequency: z.enum(billingFrequencies).optional(),
  effective: z.enum(['immediately', 'custom']),
  effectiveDate: z.iso.date().optional(),
  confirmBillingChange: z.boolean().optional(),
});
export type AddOnChange = z.infer<typeof addOnChangeSchema>;
