import { z } from 'zod';
import { subscriptionStatuses } from './subscription.ts';

/**
 * A subscription Microsoft still holds from before new commerce (Azure legacy, legacy licence and add-on offers):
 * no term and no billing cycle, so this portal neither prices, bills nor changes it. My Services shows it read-only,
 * with the reason; the partner changes it in Partner Center.
 */
/** Why a legacy subscription cannot be changed here, by kind, in words for the customer. */
export const legacyReasons = {
  azure:
    'an Azure (legacy) subscription is billed on usage and has no term; it is managed in Partner Center, not here.',
  license:
    'a legacy (pre-new-commerce) subscription has no term or billing cycle this portal can price or change; ask your partner to change it in Partner Center.',
} as const;

export const legacySubscriptionRecordSchema = z.object({
  id: z.string(),
  customerId: z.uuid(),
  offerId: z.string(),
  name: z.string(),
  quantity: z.number().int().min(0),
  status: z.enum(subscriptionStatuses),
  /** `usage` (Azure legacy) or `license`. */
  billingType: z.string().optional(),
  creationDate: z.iso.datetime(),
  parentSubscriptionId: z.string().optional(),
  autoRenew: z.boolean(),
  /** Why it cannot be changed here, in words for the customer. */
  reason: z.string(),
  syncedAt: z.iso.datetime(),
});
export type LegacySubscriptionRecord = z.infer<typeof legacySubscriptionRecordSchema>;

/** Whether Microsoft's latest reading differs from the stored one in anything the customer sees. */
export function legacyChanged(a: LegacySubscriptionRecord, b: LegacySubscriptionRecord): boolean {
  return (
    ['offerId', 'name', 'quantity', 'status', 'billingType', 'parentSubscriptionId', 'autoRenew', 'reason'] as const
  ).some((key) => a[key] !== b[key]);
}
