import { checkChange, previewChange, raisesBill, type ChangePreview } from '../../domain/change-rules.ts';
import {
  stateOf,
  type ChangeLogEntry,
  type ChangeRequest,
  type FutureChange,
  type SubscriptionRecord,
} from '../../domain/subscription.ts';
import { commerceLegacy } from '../commerce-errors.ts';
import { AppError, notFound, preconditionFailed } from '../errors.ts';
import type { CommerceSubscription, SubscriptionUpdate } from '../ports/commerce.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import { requireBillingConfirmation } from './confirmation.ts';
import type { Actor, SubscriptionDeps } from './deps.ts';
import { mergeFromMicrosoft } from './mirror.ts';
import { commitWithOutbox, schedulingOf } from '../future/outbox.ts';
import { futureChangeView, subscriptionView, type FutureChangeView, type SubscriptionView } from './views.ts';

export interface ChangeInput {
  customerId: string;
  subscriptionId: string;
  ifMatch: string;
  change: ChangeRequest;
  actor: Actor;
  /** Admins may do every kind of change; Modify users only quantities. */
  isAdmin: boolean;
  acceptLanguage: string | null;
}

export type ChangeResult =
  | { applied: true; subscription: SubscriptionView; preview: ChangePreview }
  | { applied: false; futureChange: FutureChangeView; preview: ChangePreview };

const LOCK_SECONDS = 90;

/**
 * F-CHANGE: an immediate change is sent to Microsoft under a short lock on the subscription row (so two
 * concurrent changes never both reach Microsoft), then the new state and its log entry are committed in one
 * transaction: read, lock, commit — three storage calls and one Microsoft call. A change for renewal or a
 * custom date is stored as a pending future change (and, for a renewal quantity, given to Microsoft as its
 * scheduled next-term instructions).
 */
export async function changeSubscription(deps: SubscriptionDeps, input: ChangeInput): Promise<ChangeResult> {
  const { change } = input;
  if (change.kind !== 'quantity' && !input.isAdmin) {
    throw new AppError(
      'Forbidden',
      'AUTH.ROLE_TOO_LOW',
      `Only an Admin may ${change.kind === 'autoRenew' ? 'change auto-renew' : change.kind} a subscription; Modify may change quantities.`,
    );
  }
  const found = await deps.customerData.subscription(input.customerId, input.subscriptionId);
  if (!found) throw await missingSubscription(deps, input.customerId, input.subscriptionId);
  if (found.etag !== input.ifMatch) throw preconditionFailed();

  const now = deps.clock.now();
  if (change.kind === 'quantity' && change.quantity < found.value.quantity)
    found.value = await withAssignedLicenses(deps, found.value);
  const refusal = checkChange(found.value, change, { now, windowHours: deps.config.NCE_WINDOW_HOURS });
  if (refusal) {
    throw new AppError('Conflict', refusal.code, refusal.message, {
      errors: [{ path: refusal.field, message: refusal.message }],
      ...refusal.extra,
    });
  }
  const preview = previewChange(found.value, change, now);
  if (raisesBill(found.value, change)) {
    const customer = await deps.customerCache.get(input.customerId);
    if (customer) {
      await requireBillingConfirmation(deps, {
        customer: customer.value,
        action: 'raiseQuantity',
        confirmed: change.confirmBillingChange === true,
        acceptLanguage: input.acceptLanguage,
        costDifference: { monthly: preview.monthlyDifference, prorated: preview.proratedAmount },
      });
    }
  }
  return change.effective === 'immediately'
    ? applyNow(deps, found, input, preview, now)
    : schedule(deps, found, input, preview, now);
}

/**
 * Before seats go, the licenses in use: from the customer's directory, the SKU's consumed units beyond what the
 * other subscriptions of that SKU cover. Unknown (no consent yet, directory down) leaves the last known count.
 */
async function withAssignedLicenses(deps: SubscriptionDeps, record: SubscriptionRecord): Promise<SubscriptionRecord> {
  if (!record.skuPartNumber) return record;
  const sku = (await deps.directory.subscribedSkus(record.customerTenantId).catch(() => [])).find(
    (s) => s.skuPartNumber === record.skuPartNumber,
  );
  if (!sku) return record;
  const coveredElsewhere = Math.max(0, sku.prepaidUnits.enabled - record.quantity);
  return { ...record, assignedQuantity: Math.max(record.assignedQuantity, sku.consumedUnits - coveredElsewhere) };
}

async function applyNow(
  deps: SubscriptionDeps,
  found: Versioned<SubscriptionRecord>,
  input: ChangeInput,
  preview: ChangePreview,
  now: Date,
): Promise<ChangeResult> {
  const record = found.value;
  const operationId = deps.ids.next();
  const locked = {
    ...record,
    lock: { operationId, until: new Date(now.getTime() + LOCK_SECONDS * 1000).toISOString() },
  };
  const lockEtag = await commitSubscription(deps, record.customerId, locked, found.etag);

  let result;
  try {
    result = await sendToMicrosoft(deps, record, input.change, operationId);
  } catch (error) {
    await commitSubscription(deps, record.customerId, record, lockEtag).catch(() => undefined);
    throw error;
  }

  const next = mergeFromMicrosoft(record, result, now);
  const entry = logEntry(deps.ids, input, record, next, now);
  const { subscriptionEtags } = await deps.customerData.commit(record.customerId, {
    subscriptions: [{ value: next, etag: lockEtag }],
    log: [entry],
  });
  return {
    applied: true,
    subscription: subscriptionView(next, subscriptionEtags.get(next.id) ?? '', [], now),
    preview,
  };
}

async function schedule(
  deps: SubscriptionDeps,
  found: Versioned<SubscriptionRecord>,
  input: ChangeInput,
  preview: ChangePreview,
  now: Date,
): Promise<ChangeResult> {
  const record = found.value;
  const { change } = input;
  const futureChange: FutureChange = {
    id: deps.ids.next(),
    customerId: record.customerId,
    subscriptionId: record.id,
    change,
    effective: change.effective === 'onRenewal' ? 'onRenewal' : 'custom',
    effectiveDate: preview.effectiveDate,
    status: 'pending',
    requestedBy: input.actor.label,
    requestedAt: now.toISOString(),
    updatedAt: now.toISOString(),
    attempts: 0,
  };
  let next = record;
  if (change.kind === 'quantity' && change.effective === 'onRenewal') {
    // Microsoft renews with this quantity even if nothing of ours runs on the day.
    const result = await deps.commerce.updateSubscription(
      record.customerTenantId,
      record.id,
      {
        scheduledNextTermInstructions: {
          productSkuId: record.productId,
          catalogItemId: record.catalogItemId,
          quantity: change.quantity,
          termDuration: record.term,
          billingCycle: record.billingFrequency,
        },
      },
      futureChange.id,
    );
    next = mergeFromMicrosoft(record, result, now);
  }
  const superseded =
    change.kind === 'quantity' && change.effective === 'onRenewal'
      ? await pendingRenewalQuantityChanges(deps, record)
      : [];
  const { due, message } = schedulingOf(futureChange, deps.ids.next());
  const cancelTriggers = superseded.flatMap((c) =>
    c.value.messageSequenceNumber
      ? [{ id: deps.ids.next(), type: 'cancelMessage' as const, sequenceNumber: c.value.messageSequenceNumber }]
      : [],
  );
  const { futureChangeEtags } = await commitWithOutbox(
    deps,
    record.customerId,
    {
      subscriptions: [{ value: next, etag: found.etag }],
      futureChanges: [
        { value: futureChange },
        ...superseded.map((c) => ({
          value: { ...c.value, status: 'cancelled' as const, updatedAt: now.toISOString() },
          etag: c.etag,
        })),
      ],
      log: [logEntry(deps.ids, input, record, next, now, futureChange)],
      outbox: [message, ...cancelTriggers],
    },
    [due],
  );
  return {
    applied: false,
    futureChange: futureChangeView(futureChange, futureChangeEtags.get(futureChange.id) ?? ''),
    preview,
  };
}

/** Only one renewal quantity can be scheduled at a time: a new one replaces the pending one. */
async function pendingRenewalQuantityChanges(deps: SubscriptionDeps, record: SubscriptionRecord) {
  const { futureChanges } = await deps.customerData.services(record.customerId);
  return futureChanges.filter(
    (c) =>
      c.value.subscriptionId === record.id &&
      c.value.status === 'pending' &&
      c.value.effective === 'onRenewal' &&
      c.value.change.kind === 'quantity',
  );
}

async function commitSubscription(
  deps: SubscriptionDeps,
  customerId: string,
  value: SubscriptionRecord,
  etag: string,
): Promise<string> {
  const { subscriptionEtags } = await deps.customerData.commit(customerId, { subscriptions: [{ value, etag }] });
  return subscriptionEtags.get(value.id) ?? '';
}

/**
 * Sends an immediate change to Microsoft. Microsoft wipes its scheduled next-term instructions on any immediate
 * change, so a scheduled renewal quantity is given back to it afterwards.
 */
export async function sendToMicrosoft(
  deps: Pick<SubscriptionDeps, 'commerce'>,
  record: SubscriptionRecord,
  change: ChangeRequest,
  requestId: string,
): Promise<CommerceSubscription> {
  let result = await deps.commerce.updateSubscription(record.customerTenantId, record.id, updateFor(change), requestId);
  if (record.scheduledQuantity && !result.scheduledNextTermInstructions && result.status === 'active') {
    result = await deps.commerce.updateSubscription(
      record.customerTenantId,
      record.id,
      {
        scheduledNextTermInstructions: {
          productSkuId: record.productId,
          catalogItemId: record.catalogItemId,
          quantity: record.scheduledQuantity,
          termDuration: record.term,
          billingCycle: record.billingFrequency,
        },
      },
      `${requestId}-reissue`,
    );
  }
  return result;
}

export function updateFor(change: ChangeRequest): SubscriptionUpdate {
  switch (change.kind) {
    case 'quantity':
      return { quantity: change.quantity };
    case 'suspend':
      return { status: 'suspended' };
    case 'reactivate':
      return { status: 'active' };
    case 'cancel':
      return { status: 'deleted' };
    case 'autoRenew':
      return { autoRenewEnabled: change.enabled };
  }
}

function logEntry(
  ids: SubscriptionDeps['ids'],
  input: ChangeInput,
  before: SubscriptionRecord,
  after: SubscriptionRecord,
  now: Date,
  scheduled?: FutureChange,
): ChangeLogEntry {
  const { change } = input;
  return {
    id: ids.next(),
    customerId: before.customerId,
    at: now.toISOString(),
    actor: input.actor.label,
    source: 'portal',
    action: scheduled ? `schedule:${change.kind}` : change.kind,
    subscriptionId: before.id,
    productName: before.productName,
    before: stateOf(before),
    after: scheduled
      ? { ...stateOf(after), scheduled: { ...change, effectiveDate: scheduled.effectiveDate } }
      : stateOf(after),
    effective: change.effective,
    ...(scheduled ? { effectiveDate: scheduled.effectiveDate } : {}),
  };
}

/** No subscription to change: a legacy one says why (409, read-only here), anything else is not found. */
async function missingSubscription(deps: Pick<SubscriptionDeps, 'customerData'>, customerId: string, id: string) {
  const legacy = (await deps.customerData.services(customerId)).legacy.find((l) => l.value.id === id);
  return legacy
    ? commerceLegacy(id, legacy.value.reason)
    : notFound('SUBSCRIPTION.NOT_FOUND', `No subscription ${id} for this customer.`);
}
