import { checkChange } from '../../domain/change-rules.ts';
import { guidFrom } from '../../domain/ids.ts';
import {
  dueAt,
  stateOf,
  type ChangeLogEntry,
  type FutureChange,
  type SubscriptionRecord,
} from '../../domain/subscription.ts';
import { isTransientCommerceError } from '../commerce-errors.ts';
import { AppError } from '../errors.ts';
import type { ChangeMessage } from '../ports/change-queue.port.ts';
import type { Versioned } from '../ports/customer.repository.port.ts';
import { sendToMicrosoft } from '../subscriptions/change-subscription.ts';
import { mergeFromMicrosoft, priceOf, toRecord } from '../subscriptions/mirror.ts';
import type { FutureDeps } from './deps.ts';
import { commitWithOutbox } from './outbox.ts';

export type ApplyOutcome = 'applied' | 'failed' | 'skipped' | 'notDue' | 'busy';

export interface ApplyOptions {
  /** Deliveries of the triggering message so far (1 on the first); 0 when the sweep applies it. */
  deliveryCount: number;
}

/**
 * Microsoft has not renewed the subscription yet: not a failure, the change goes back to pending and the sweep
 * looks again. A signal inside this use case, never shown to anyone, so it carries no problem code.
 */
class NotRenewedYet extends Error {
  constructor() {
    super('Microsoft has not renewed the subscription yet.');
  }
}

/** A refusal that retrying cannot cure: the change fails with this reason. */
class Permanent extends Error {}

/**
 * F-FUTURE: applies one stored change at its time, exactly once however often and however concurrently it is
 * triggered. The row is the truth: `pending → applying` (an ETag-guarded lease), Microsoft's call (idempotent
 * by request id and absolute values), then `applying → applied` committed with the subscription and one log
 * entry in a single transaction. A crash leaves `applying`; after the lease the sweep takes it over and the
 * repeated Microsoft call changes nothing more. Transient failures are rethrown (the message comes back) until
 * the delivery limit; then, like a refusal, the change is marked `failed` with its reason and the partner told.
 */
export async function applyDueChange(
  deps: FutureDeps,
  message: ChangeMessage,
  options: ApplyOptions,
): Promise<ApplyOutcome> {
  const now = deps.clock.now();
  const { change, subscription } = await deps.customerData.changeWithSubscription(
    message.customerId,
    message.changeId,
    message.subscriptionId,
  );
  if (
    !change ||
    change.value.status === 'applied' ||
    change.value.status === 'cancelled' ||
    change.value.status === 'failed'
  )
    return 'skipped';
  if (now.getTime() < dueAt(change.value).getTime()) return 'notDue';
  if (
    change.value.status === 'applying' &&
    change.value.leaseUntil &&
    new Date(change.value.leaseUntil).getTime() > now.getTime()
  )
    return 'busy';

  const leased: FutureChange = {
    ...change.value,
    status: 'applying',
    attempts: change.value.attempts + 1,
    leaseUntil: new Date(now.getTime() + deps.config.APPLY_LEASE_SECONDS * 1000).toISOString(),
    updatedAt: now.toISOString(),
  };
  let leaseEtag: string;
  try {
    leaseEtag =
      (
        await deps.customerData.commit(message.customerId, { futureChanges: [{ value: leased, etag: change.etag }] })
      ).futureChangeEtags.get(leased.id) ?? '';
  } catch (error) {
    if (error instanceof AppError && error.kind === 'PreconditionFailed') return 'busy';
    throw error;
  }

  try {
    const { subscriptions, entry, createdSubscriptionId } = await perform(deps, leased, subscription, now);
    const { leaseUntil: _lease, ...rest } = leased;
    const applied: FutureChange = {
      ...rest,
      status: 'applied',
      appliedAt: now.toISOString(),
      updatedAt: now.toISOString(),
      ...(createdSubscriptionId ? { createdSubscriptionId } : {}),
    };
    await deps.customerData.commit(message.customerId, {
      futureChanges: [{ value: applied, etag: leaseEtag }],
      subscriptions,
      log: [entry],
    });
    return 'applied';
  } catch (error) {
    const release = async () => {
      const { leaseUntil: _lease, ...rest } = leased;
      await deps.customerData
        .commit(message.customerId, { futureChanges: [{ value: { ...rest, status: 'pending' }, etag: leaseEtag }] })
        .catch(() => undefined);
    };
    if (error instanceof NotRenewedYet) {
      // Not a failure: Microsoft's renewal run is still going; the sweep looks again in 15 minutes.
      await release();
      return 'notDue';
    }
    const attempts = Math.max(options.deliveryCount, leased.attempts);
    const transient =
      !(error instanceof Permanent) &&
      (isTransientCommerceError(error) || (error instanceof AppError && error.kind === 'PreconditionFailed'));
    if (transient && attempts < deps.config.CHANGE_MAX_DELIVERIES) {
      await release();
      throw error;
    }
    if (!(error instanceof Permanent) && !(error instanceof AppError)) throw error;
    const reason = transient ? `Gave up after ${attempts} attempts: ${error.message}` : error.message;
    await markFailed(deps, leased, leaseEtag, reason, now);
    return 'failed';
  }
}

interface Performed {
  subscriptions: { value: SubscriptionRecord; etag?: string }[];
  entry: ChangeLogEntry;
  createdSubscriptionId?: string;
}

async function perform(
  deps: FutureDeps,
  change: FutureChange,
  found: Versioned<SubscriptionRecord> | undefined,
  now: Date,
): Promise<Performed> {
  const request = change.change;
  if (request.kind === 'purchase') return purchase(deps, change, request, now);
  if (!found) throw new Permanent('The subscription no longer exists.');
  const record = found.value;

  let result;
  if (change.effective === 'onRenewal' && request.kind === 'quantity') {
    // Microsoft renews with its scheduled next-term instructions; if they were lost, the new term's window
    // still allows setting the quantity now.
    result = await deps.commerce.getSubscription(record.customerTenantId, record.id);
    if (result.status === 'expired' || result.status === 'deleted')
      throw new Permanent(`The subscription did not renew: it is ${result.status}.`);
    if (result.termStartDate < change.effectiveDate) throw new NotRenewedYet();
    if (result.quantity !== request.quantity) {
      result = await deps.commerce.updateSubscription(
        record.customerTenantId,
        record.id,
        { quantity: request.quantity },
        guidFrom(`apply:${change.id}`),
      );
    }
  } else {
    const immediate = { ...request, effective: 'immediately' as const, effectiveDate: undefined };
    const { lock: _lock, ...unlocked } = record;
    const refusal = checkChange(unlocked, immediate, { now, windowHours: deps.config.NCE_WINDOW_HOURS });
    if (refusal && refusal.code !== 'CHANGE.NO_CHANGE') throw new Permanent(refusal.message);
    result = refusal
      ? await deps.commerce.getSubscription(record.customerTenantId, record.id)
      : await sendToMicrosoft(deps, record, immediate, guidFrom(`apply:${change.id}`));
  }

  let next = mergeFromMicrosoft(record, result, now);
  if (next.termStartDate !== record.termStartDate) {
    const customer = (await deps.customerCache.get(record.customerId))?.value;
    if (customer) {
      const price = await priceOf(deps, customer, result, next.termStartDate);
      next = {
        ...next,
        unitPrice: price.unitPrice,
        currency: price.currency,
        priceListId: price.priceListId,
        priceSource: price.source,
      };
    }
  }
  return {
    subscriptions: [{ value: next, etag: found.etag }],
    entry: logEntry(
      change,
      { subscriptionId: record.id, productName: record.productName, before: stateOf(record), after: stateOf(next) },
      now,
    ),
  };
}

async function purchase(
  deps: FutureDeps,
  change: FutureChange,
  request: Extract<FutureChange['change'], { kind: 'purchase' }>,
  now: Date,
): Promise<Performed> {
  const customer = (await deps.customerCache.get(change.customerId))?.value;
  if (!customer?.tenantId) throw new Permanent('The customer has no Microsoft tenant.');
  const product = await deps.catalog.getProduct(request.productId);
  if (!product) throw new Permanent(`${request.productId} is no longer in the catalog.`);
  const price = await priceOf(
    deps,
    customer,
    { productSkuId: product.id, termDuration: request.term, billingCycle: request.billingFrequency },
    change.effectiveDate,
  );
  const order = await deps.commerce.placeOrder(
    customer.tenantId,
    [
      {
        catalogItemId: product.catalogItemId,
        quantity: request.quantity,
        termDuration: request.term,
        billingCycle: request.billingFrequency,
        ...(request.parentSubscriptionId ? { parentSubscriptionId: request.parentSubscriptionId } : {}),
      },
    ],
    guidFrom(`future-order:${change.id}`),
  );
  const records = order.subscriptions.map((s) =>
    toRecord({ id: customer.id, tenantId: customer.tenantId as string }, s, product, price, undefined, now),
  );
  const first = records[0];
  return {
    subscriptions: records.map((value) => ({ value })),
    entry: logEntry(
      change,
      {
        ...(first ? { subscriptionId: first.id } : {}),
        productName: product.name,
        ...(first ? { after: stateOf(first) } : {}),
      },
      now,
    ),
    ...(first ? { createdSubscriptionId: first.id } : {}),
  };
}

function logEntry(
  change: FutureChange,
  detail: Pick<ChangeLogEntry, 'subscriptionId' | 'productName' | 'before' | 'after'>,
  now: Date,
): ChangeLogEntry {
  return {
    id: guidFrom(`log:${change.id}`),
    customerId: change.customerId,
    at: now.toISOString(),
    actor: `schedule (requested by ${change.requestedBy})`,
    source: 'schedule',
    action: change.change.kind,
    ...detail,
    effective: change.effective,
    effectiveDate: change.effectiveDate,
  };
}

async function markFailed(
  deps: FutureDeps,
  change: FutureChange,
  etag: string,
  reason: string,
  now: Date,
): Promise<void> {
  const { leaseUntil: _lease, ...rest } = change;
  await commitWithOutbox(deps, change.customerId, {
    futureChanges: [
      { value: { ...rest, status: 'failed', failureReason: reason, updatedAt: now.toISOString() }, etag },
    ],
    log: [
      {
        id: deps.ids.next(),
        customerId: change.customerId,
        at: now.toISOString(),
        actor: 'schedule',
        source: 'schedule',
        action: `failed:${change.change.kind}`,
        ...(change.subscriptionId ? { subscriptionId: change.subscriptionId } : {}),
        effective: change.effective,
        effectiveDate: change.effectiveDate,
        detail: reason,
      },
    ],
    outbox: [
      {
        id: deps.ids.next(),
        type: 'mail',
        mail: {
          id: `change-failed-${change.id}`,
          to: deps.config.PARTNER_NOTIFY_EMAIL,
          kind: 'change-failed',
          subject: `A scheduled ${change.change.kind} change failed`,
          text: `The ${change.change.kind} change ${change.id} for customer ${change.customerId}${change.subscriptionId ? `, subscription ${change.subscriptionId}` : ''}, due ${change.effectiveDate}, failed: ${reason}\nIt is listed under Future Changes with this reason.`,
        },
      },
    ],
  });
}
