import { legacyChanged, type LegacySubscriptionRecord } from '../../domain/legacy-subscription.ts';
import { stateOf, type ChangeLogEntry, type FutureChange, type SubscriptionRecord } from '../../domain/subscription.ts';
import type { CustomerWrite } from '../ports/customer-data.port.ts';
import type { DueEntry } from '../ports/due-index.port.ts';
import { commitWithOutbox, schedulingOf } from '../future/outbox.ts';
import { AppError, notFound } from '../errors.ts';
import type { SubscriptionDeps } from './deps.ts';
import type { CommerceSubscription, LegacySubscription } from '../ports/commerce.port.ts';
import { mergeFromMicrosoft, priceOf, toRecord } from './mirror.ts';
import { spreadConsumedUnits } from './assigned-licenses.ts';

export interface SyncResult {
  subscriptions: number;
  /** Legacy subscriptions Microsoft listed (mirrored read-only). */
  legacy: number;
  changed: number;
  renewed: number;
  appliedFutureChanges: number;
}

/**
 * Refreshes the mirror from Microsoft (the system of record): new subscriptions are added, changed ones
 * updated and logged with source `sync`; a subscription whose term started anew is re-priced for the new term
 * and its pending on-renewal changes are marked applied, since Microsoft's renewal carried them out. Legacy
 * subscriptions (no term, no billing cycle) are mirrored read-only with the reason they cannot be changed here.
 */
export async function syncSubscriptions(deps: SubscriptionDeps, customerId: string): Promise<SyncResult> {
  const customer = (await deps.customers.get(customerId))?.value;
  if (!customer) throw notFound('CUSTOMER.NOT_FOUND', `No customer ${customerId}.`);
  if (!customer.tenantId)
    throw new AppError('Conflict', 'CUSTOMER.NO_TENANT', 'This customer has no Microsoft tenant yet.');
  const tenantId = customer.tenantId;
  const now = deps.clock.now();
  const [listing, local] = await Promise.all([
    deps.commerce.listAllSubscriptions(tenantId),
    deps.customerData.services(customerId),
  ]);
  const remote = listing.subscriptions;
  const records = new Map(local.subscriptions.map((s) => [s.value.id, s]));
  const assigned = await assignedLicenses(deps, tenantId, remote, records);
  const result: SyncResult = {
    subscriptions: remote.length,
    legacy: listing.legacy.length,
    changed: 0,
    renewed: 0,
    appliedFutureChanges: 0,
  };

  const storedLegacy = new Map(local.legacy.map((l) => [l.value.id, l]));
  const legacyWrites = listing.legacy
    .map((l) => ({ value: legacyRecord(customerId, l, now), stored: storedLegacy.get(l.id) }))
    .filter(({ value, stored }) => !stored || legacyChanged(stored.value, value))
    .map(({ value, stored }) => ({ value, ...(stored ? { etag: stored.etag } : {}) }));
  // One entity-group transaction holds at most 100 rows.
  for (let i = 0; i < legacyWrites.length; i += 100) {
    await deps.customerData.commit(customerId, { legacy: legacyWrites.slice(i, i + 100) });
    result.changed += Math.min(100, legacyWrites.length - i);
  }

  for (const subscription of remote) {
    const previous = records.get(subscription.id);
    const write: CustomerWrite = {};
    const due: DueEntry[] = [];
    let next: SubscriptionRecord;
    if (!previous) {
      const product = await deps.catalog.getProduct(subscription.productSkuId);
      const price = await priceOf(deps, customer, subscription, subscription.termStartDate);
      next = toRecord({ id: customerId, tenantId }, subscription, product, price, undefined, now);
      write.subscriptions = [{ value: next }];
      write.log = [entry(deps.ids, customerId, next, 'sync:discovered', undefined, now)];
    } else {
      next = {
        ...mergeFromMicrosoft(previous.value, subscription, now),
        assignedQuantity: assigned.get(subscription.id) ?? previous.value.assignedQuantity,
      };
      const renewed = previous.value.termStartDate !== next.termStartDate;
      if (renewed) {
        const price = await priceOf(deps, customer, subscription, next.termStartDate);
        next = {
          ...next,
          unitPrice: price.unitPrice,
          currency: price.currency,
          priceListId: price.priceListId,
          priceSource: price.source,
        };
        result.renewed += 1;
      }
      if (!differs(previous.value, next)) {
        if (
          JSON.stringify(previous.value.refundable) !== JSON.stringify(next.refundable) ||
          previous.value.assignedQuantity !== next.assignedQuantity
        ) {
          await deps.customerData.commit(customerId, { subscriptions: [{ value: next, etag: previous.etag }] });
        }
        continue;
      }
      const applied = renewed ? dueRenewalChanges(local.futureChanges, next, now) : [];
      result.appliedFutureChanges += applied.length;
      write.subscriptions = [{ value: next, etag: previous.etag }];
      write.futureChanges = applied;
      write.log = [entry(deps.ids, customerId, next, renewed ? 'renewal' : 'sync', previous.value, now)];
      if (!renewed && next.termEndDate !== previous.value.termEndDate) {
        const moved = movedRenewalChanges(deps.ids, local.futureChanges, next, now);
        write.futureChanges = [...write.futureChanges, ...moved.map(({ value, etag }) => ({ value, etag }))];
        write.outbox = moved.flatMap((m) => m.outbox);
        due.push(...moved.map((m) => m.due));
      }
    }
    result.changed += 1;
    await commitWithOutbox(deps, customerId, write, due);
  }
  return result;
}

function legacyRecord(customerId: string, l: LegacySubscription, now: Date): LegacySubscriptionRecord {
  return {
    id: l.id,
    customerId,
    offerId: l.offerId,
    name: l.friendlyName,
    quantity: l.quantity,
    status: l.status,
    ...(l.billingType ? { billingType: l.billingType } : {}),
    creationDate: l.creationDate,
    ...(l.parentSubscriptionId ? { parentSubscriptionId: l.parentSubscriptionId } : {}),
    autoRenew: l.autoRenewEnabled,
    reason: l.reason,
    syncedAt: now.toISOString(),
  };
}

function dueRenewalChanges(changes: { value: FutureChange; etag: string }[], record: SubscriptionRecord, now: Date) {
  return changes
    .filter(
      (c) =>
        c.value.subscriptionId === record.id &&
        c.value.status === 'pending' &&
        c.value.effective === 'onRenewal' &&
        c.value.effectiveDate <= record.termStartDate,
    )
    .map((c) => ({ value: { ...c.value, status: 'applied' as const, updatedAt: now.toISOString() }, etag: c.etag }));
}

/** Licenses in use per subscription, from the directory (nothing when it cannot be read: no consent yet). */
async function assignedLicenses(
  deps: SubscriptionDeps,
  tenantId: string,
  remote: CommerceSubscription[],
  records: Map<string, { value: SubscriptionRecord }>,
): Promise<Map<string, number>> {
  const skus = await deps.directory.subscribedSkus(tenantId).catch(() => []);
  return spreadConsumedUnits(
    skus,
    remote.map((s) => ({
      id: s.id,
      skuPartNumber: records.get(s.id)?.value.skuPartNumber,
      status: s.status,
      quantity: s.quantity,
      since: s.creationDate,
    })),
  );
}

/** The renewal date moved (the term changed): pending renewal changes follow it, with a new trigger. */
function movedRenewalChanges(
  ids: SubscriptionDeps['ids'],
  changes: { value: FutureChange; etag: string }[],
  record: SubscriptionRecord,
  now: Date,
) {
  return changes
    .filter(
      (c) =>
        c.value.subscriptionId === record.id &&
        c.value.status === 'pending' &&
        c.value.effective === 'onRenewal' &&
        c.value.effectiveDate !== record.termEndDate,
    )
    .map((c) => {
      const { messageSequenceNumber, ...rest } = c.value;
      const value: FutureChange = { ...rest, effectiveDate: record.termEndDate, updatedAt: now.toISOString() };
      const { due, message } = schedulingOf(value, ids.next());
      const cancel = messageSequenceNumber
        ? [{ id: ids.next(), type: 'cancelMessage' as const, sequenceNumber: messageSequenceNumber }]
        : [];
      return { value, etag: c.etag, due, outbox: [...cancel, message] };
    });
}

const watched = [
  'quantity',
  'status',
  'autoRenew',
  'termStartDate',
  'termEndDate',
  'scheduledQuantity',
  'term',
  'billingFrequency',
] as const;

function differs(a: SubscriptionRecord, b: SubscriptionRecord): boolean {
  return watched.some((key) => a[key] !== b[key]);
}

function entry(
  ids: SubscriptionDeps['ids'],
  customerId: string,
  record: SubscriptionRecord,
  action: string,
  before: SubscriptionRecord | undefined,
  now: Date,
): ChangeLogEntry {
  return {
    id: ids.next(),
    customerId,
    at: now.toISOString(),
    actor: 'Microsoft',
    source: 'sync',
    action,
    subscriptionId: record.id,
    productName: record.productName,
    ...(before ? { before: stateOf(before) } : {}),
    after: stateOf(record),
  };
}
