import type { Customer } from '../../domain/customer.ts';
import type { SubscriptionRecord } from '../../domain/subscription.ts';
import { AppError } from '../errors.ts';
import type { CommerceSubscription } from '../ports/commerce.port.ts';
import type { Price, Product } from '../ports/catalog.port.ts';
import type { SubscriptionDeps } from './deps.ts';

/**
 * The portal's record of a Microsoft subscription: Microsoft's state, plus the customer's price locked at the
 * term start (re-priced when a new term starts), the product's limits and the assigned licenses kept from
 * the previous record.
 */
export function toRecord(
  customer: Pick<Customer, 'id'> & { tenantId: string },
  subscription: CommerceSubscription,
  product: Product | undefined,
  price: Price,
  previous: SubscriptionRecord | undefined,
  now: Date,
): SubscriptionRecord {
  const samePrice = previous && previous.termStartDate === subscription.termStartDate ? previous : undefined;
  return {
    id: subscription.id,
    customerId: customer.id,
    customerTenantId: customer.tenantId,
    orderId: subscription.orderId,
    productId: subscription.productSkuId,
    productName: product?.name ?? subscription.friendlyName,
    catalogItemId: product?.catalogItemId ?? subscription.productSkuId,
    ...(product?.skuPartNumber ? { skuPartNumber: product.skuPartNumber } : {}),
    isNce: product?.isNce ?? true,
    ...(subscription.parentSubscriptionId ? { parentSubscriptionId: subscription.parentSubscriptionId } : {}),
    quantity: subscription.quantity,
    assignedQuantity: previous?.assignedQuantity ?? 0,
    minQuantity: product?.minQuantity ?? 1,
    maxQuantity: product?.maxQuantity ?? 300,
    status: subscription.status,
    term: subscription.termDuration,
    billingFrequency: subscription.billingCycle,
    startDate: previous?.startDate ?? subscription.creationDate.slice(0, 10),
    termStartDate: subscription.termStartDate,
    termEndDate: subscription.termEndDate,
    autoRenew: subscription.autoRenewEnabled,
    ...(subscription.cancellationAllowedUntilDate
      ? { cancellationAllowedUntil: subscription.cancellationAllowedUntilDate }
      : {}),
    refundable: subscription.refundableQuantity.details.map((d) => ({
      quantity: d.quantity,
      allowedUntil: d.allowedUntilDateTime,
    })),
    unitPrice: samePrice?.unitPrice ?? price.unitPrice,
    currency: samePrice?.currency ?? price.currency,
    priceListId: samePrice?.priceListId ?? price.priceListId,
    priceSource: samePrice?.priceSource ?? price.source,
    ...(subscription.scheduledNextTermInstructions
      ? { scheduledQuantity: subscription.scheduledNextTermInstructions.quantity }
      : {}),
    syncedAt: now.toISOString(),
  };
}

/** The customer's price for a product and term as of `onDate` (customer list, else global list). */
export async function priceOf(
  deps: SubscriptionDeps,
  customer: Customer,
  subscription: Pick<CommerceSubscription, 'productSkuId' | 'termDuration' | 'billingCycle'>,
  onDate: string,
): Promise<Price> {
  const price = await deps.catalog.priceFor({
    customerId: customer.id,
    currency: customer.currency,
    productId: subscription.productSkuId,
    term: subscription.termDuration,
    frequency: subscription.billingCycle,
    onDate,
  });
  if (!price) {
    throw new AppError(
      'Conflict',
      'PRICE.NOT_FOUND',
      `There is no ${customer.currency} price for ${subscription.productSkuId} with a ${subscription.termDuration} term billed ${subscription.billingCycle}; ask your partner to price it.`,
    );
  }
  return price;
}

/** Microsoft's latest state on an existing record, keeping what the portal owns (price, limits, licenses). */
export function mergeFromMicrosoft(
  record: SubscriptionRecord,
  subscription: CommerceSubscription,
  now: Date,
): SubscriptionRecord {
  const { cancellationAllowedUntil: _c, scheduledQuantity: _s, lock: _l, parentSubscriptionId: _p, ...kept } = record;
  return {
    ...kept,
    quantity: subscription.quantity,
    status: subscription.status,
    term: subscription.termDuration,
    billingFrequency: subscription.billingCycle,
    termStartDate: subscription.termStartDate,
    termEndDate: subscription.termEndDate,
    autoRenew: subscription.autoRenewEnabled,
    ...(subscription.parentSubscriptionId ? { parentSubscriptionId: subscription.parentSubscriptionId } : {}),
    ...(subscription.cancellationAllowedUntilDate
      ? { cancellationAllowedUntil: subscription.cancellationAllowedUntilDate }
      : {}),
    refundable: subscription.refundableQuantity.details.map((d) => ({
      quantity: d.quantity,
      allowedUntil: d.allowedUntilDateTime,
    })),
    ...(subscription.scheduledNextTermInstructions
      ? { scheduledQuantity: subscription.scheduledNextTermInstructions.quantity }
      : {}),
    syncedAt: now.toISOString(),
  };
}
