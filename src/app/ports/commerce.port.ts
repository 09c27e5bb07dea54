import type { BillingFrequency, Term } from '../../domain/calendar.ts';

/**
 * Everything Microsoft does with a customer's subscriptions, in the shapes Partner Center uses
 * (`/v1/customers/{customer-tenant-id}/subscriptions`). Microsoft is the system of record; every write to
 * it goes through this port (DESIGN rule 12). Two adapters: the simulator (local default, same rules) and
 * Partner Center REST.
 */
export type CommerceStatus = 'active' | 'suspended' | 'expired' | 'deleted';

export interface RefundableQuantity {
  totalQuantity: number;
  details: { quantity: number; allowedUntilDateTime: string }[];
}

export interface ScheduledNextTerm {
  /** `{productId}:{skuId}` of the next term (same as now unless converting). */
  productSkuId: string;
  /**
   * `{productId}:{skuId}:{availabilityId}` of the next term's product when known: Microsoft names the next term by
   * its availability, which a change of SKU cannot take from the current offer.
   */
  catalogItemId?: string;
  quantity: number;
  termDuration: Term;
  billingCycle: BillingFrequency;
}

export interface CommerceSubscription {
  id: string;
  orderId: string;
  /** `{productId}:{skuId}`. */
  productSkuId: string;
  friendlyName: string;
  quantity: number;
  status: CommerceStatus;
  termDuration: Term;
  billingCycle: BillingFrequency;
  /** Start of the current term (UTC date). */
  termStartDate: string;
  /** Day the current term ends and the next would start (UTC date; renewal processed from 00:00 UTC). */
  termEndDate: string;
  /** When the subscription was first created (ISO instant). */
  creationDate: string;
  autoRenewEnabled: boolean;
  /** Until when the whole subscription may be cancelled with a refund (ISO instant). */
  cancellationAllowedUntilDate?: string;
  /** Seats that may still be removed, per lot, newest first. */
  refundableQuantity: RefundableQuantity;
  parentSubscriptionId?: string;
  scheduledNextTermInstructions?: ScheduledNextTerm;
}

/**
 * A subscription Microsoft still holds from before new commerce (Azure legacy `MS-AZR-…`, legacy licence and add-on
 * offers): its documented resource has no term and no billing cycle. Shown, never changed here.
 */
export interface LegacySubscription {
  id: string;
  orderId?: string;
  /** Microsoft's legacy offer id (`MS-AZR-0145P`, or a GUID). */
  offerId: string;
  friendlyName: string;
  quantity: number;
  status: CommerceStatus;
  /** `usage` (Azure legacy) or `license`. */
  billingType?: string;
  creationDate: string;
  parentSubscriptionId?: string;
  autoRenewEnabled: boolean;
  /** Why this portal cannot change it, in words for the customer. */
  reason: string;
}

export interface OrderLine {
  /** Microsoft's `{productId}:{skuId}:{availabilityId}`. */
  catalogItemId: string;
  quantity: number;
  termDuration: Term;
  billingCycle: BillingFrequency;
  /** For an add-on: the base subscription. */
  parentSubscriptionId?: string;
}

export interface SubscriptionUpdate {
  quantity?: number;
  /** `deleted` cancels (allowed only inside the cancellation window). */
  status?: 'active' | 'suspended' | 'deleted';
  autoRenewEnabled?: boolean;
  /** `null` clears Microsoft's scheduled next-term change. */
  scheduledNextTermInstructions?: ScheduledNextTerm | null;
}

export interface CommercePort {
  /** Cart + checkout. `requestId` is sent as MS-RequestId so that a retried order is placed once. */
  placeOrder(
    customerTenantId: string,
    lines: OrderLine[],
    requestId: string,
  ): Promise<{ orderId: string; subscriptions: CommerceSubscription[] }>;
  /** The subscriptions this product manages (new commerce, with a term); legacy ones are left out. */
  listSubscriptions(customerTenantId: string): Promise<CommerceSubscription[]>;
  /** Everything Microsoft lists for the customer: the managed subscriptions and the legacy ones, in one listing. */
  listAllSubscriptions(
    customerTenantId: string,
  ): Promise<{ subscriptions: CommerceSubscription[]; legacy: LegacySubscription[] }>;
  /** COMMERCE.LEGACY_SUBSCRIPTION (409, with the reason) for a legacy subscription. */
  getSubscription(customerTenantId: string, subscriptionId: string): Promise<CommerceSubscription>;
  /** PATCH of the subscription resource. An immediate quantity/status change wipes scheduled next-term instructions. */
  updateSubscription(
    customerTenantId: string,
    subscriptionId: string,
    update: SubscriptionUpdate,
    requestId: string,
  ): Promise<CommerceSubscription>;
}
