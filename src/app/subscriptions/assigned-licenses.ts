import type { SubscriptionRecord } from '../../domain/subscription.ts';
import type { Clock } from '../ports/clock.port.ts';
import type { CustomerDataStore } from '../ports/customer-data.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
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

/** How old My Services' assigned counts may be before a view reads them from the directory again. */
export const ASSIGNED_MAX_AGE_MS = 60_000;
/** How long a tenant whose directory failed without a Retry-After is left alone (its counts stay as stored). */
const FAILED_BACKOFF_MS = 60_000;

/**
 * Per process: tenants whose directory throttled or failed a view's refresh, not asked again before the time
 * (their Retry-After); and the refresh under way per customer, which concurrent views of it share.
 */
const notBefore = new Map<string, number>();
const underWay = new Map<string, Promise<boolean>>();

/**
 * My Services' licenses assigned, as the directory has them now: a license assigned outside the portal (in the
 * Microsoft 365 admin center) shows when the customer opens the page, not at the next sync. Only when a
 * license-holding subscription's count is older than ASSIGNED_MAX_AGE_MS: then one quick read of the tenant's
 * subscribed SKUs (Graph's consumedUnits; no retry, no waiting out a Retry-After) and one ETag-guarded write of
 * the counts and their time. A view otherwise costs no directory call; a throttled or failing directory leaves
 * the stored counts shown and is not asked again before its Retry-After. Resolves whether anything was written
 * (the caller then reads the subscriptions again).
 */
export async function refreshStaleAssignedLicenses(
  deps: { directory: Pick<DirectoryPort, 'subscribedSkus'>; customerData: CustomerDataStore; clock: Clock },
  customerId: string,
  subscriptions: readonly Versioned<SubscriptionRecord>[],
): Promise<boolean> {
  const holders = subscriptions.filter(({ value }) => isHolder(value));
  const now = deps.clock.now().getTime();
  const stale = holders.some(
    ({ value }) => !value.assignedAt || now - Date.parse(value.assignedAt) > ASSIGNED_MAX_AGE_MS,
  );
  const tenantId = holders[0]?.value.customerTenantId;
  if (!stale || !tenantId || (notBefore.get(tenantId) ?? 0) > now) return false;
  const running = underWay.get(customerId);
  if (running) return running;
  const refresh = (async () => {
    let skus: SubscribedSku[];
    try {
      skus = await deps.directory.subscribedSkus(tenantId, { quick: true });
    } catch (error) {
      const seconds = error instanceof AppError ? Number(error.extra.retryAfterSeconds) : NaN;
      notBefore.set(tenantId, now + (seconds > 0 ? seconds * 1000 : FAILED_BACKOFF_MS));
      return false;
    }
    notBefore.delete(tenantId);
    const assigned = spreadConsumedUnits(
      skus,
      subscriptions.map(({ value }) => holderOf(value)),
    );
    const assignedAt = new Date(now).toISOString();
    const writes = holders.map(({ value, etag }) => ({
      value: { ...value, assignedQuantity: assigned.get(value.id) ?? 0, assignedAt },
      etag,
    }));
    try {
      // One entity-group transaction holds at most 100 rows.
      for (let i = 0; i < writes.length; i += 100)
        await deps.customerData.commit(customerId, { subscriptions: writes.slice(i, i + 100) });
    } catch (error) {
      // Changed meanwhile (a change, a sync): that write's counts stand; the next view finds them stale again.
      if (!(error instanceof AppError && error.kind === 'PreconditionFailed')) throw error;
    }
    return true;
  })().finally(() => underWay.delete(customerId));
  underWay.set(customerId, refresh);
  return refresh;
}

const isHolder = (s: SubscriptionRecord) => !!s.skuPartNumber && (s.status === 'active' || s.status === 'suspended');

const holderOf = (s: SubscriptionRecord): LicenseHolder => ({
  id: s.id,
  skuPartNumber: s.skuPartNumber,
  status: s.status,
  quantity: s.quantity,
  since: s.startDate,
});
