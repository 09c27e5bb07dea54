import type { SubscriptionRecord } from '../../domain/subscription.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { DirectoryPort, SubscribedSku } from '../ports/directory.port.ts';
import { AppError } from '../errors.ts';

/** A subscription that may hold licenses: its SKU, seats, and the key its SKU's licenses are spread by. */
export interface LicenseHolder {
  id: string;
  skuPartNumber: string | undefined;
  status: string;
  quantity: number;
  /** Oldest first: the creation date (Microsoft's) or start date (the mirror's). */
  since: string;
}

/**
 * Licenses in use per subscription: each SKU's consumed units from the directory, spread over its active (or
 * suspended) subscriptions oldest first, each taking at most its seats.
 */
export function spreadConsumedUnits(skus: SubscribedSku[], holders: LicenseHolder[]): Map<string, number> {
  const result = new Map<string, number>();
  for (const sku of skus) {
    let left = sku.consumedUnits;
    const mine = holders
      .filter((s) => s.status === 'active' || s.status === 'suspended')
      .filter((s) => s.skuPartNumber?.toLowerCase() === sku.skuPartNumber.toLowerCase())
      .sort((a, b) => a.since.localeCompare(b.since));
    for (const holder of mine) {
      const share = Math.min(holder.quantity, left);
      result.set(holder.id, share);
      left -= share;
    }
  }
  return result;
}

/**
 * After the portal changed license assignments, the mirror's `assignedQuantity` follows the directory at once
 * (rather than at the next sync), so My Services agrees with the Licenses page. ETag-guarded; a record changed
 * meanwhile is left to the next sync. Nothing when the directory cannot be read.
 */
export async function refreshAssignedLicenses(
  deps: { directory: Pick<DirectoryPort, 'subscribedSkus'>; customerData: CustomerDataStore },
  customerId: string,
  tenantId: string,
): Promise<void> {
  const skus = await deps.directory.subscribedSkus(tenantId).catch(() => undefined);
  if (!skus) return;
  const { subscriptions } = await deps.customerData.services(customerId);
  const assigned = spreadConsumedUnits(
    skus,
    subscriptions.map(({ value }) => holderOf(value)),
  );
  for (const { value, etag } of subscriptions) {
    const count = assigned.get(value.id);
    if (count === undefined || count === value.assignedQuantity) continue;
    await deps.customerData
      .commit(customerId, { subscriptions: [{ value: { ...value, assignedQuantity: count }, etag }] })
      .catch((error: unknown) => {
        if (!(error instanceof AppError && error.kind === 'PreconditionFailed')) throw error;
      });
  }
}

const holderOf = (s: SubscriptionRecord): LicenseHolder => ({
  id: s.id,
  skuPartNumber: s.skuPartNumber,
  status: s.status,
  quantity: s.quantity,
  since: s.startDate,
});
