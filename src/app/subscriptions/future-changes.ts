import { AppError, notFound, preconditionFailed } from '../errors.ts';
import type { Actor, SubscriptionDeps } from './deps.ts';
import { mergeFromMicrosoft } from './mirror.ts';
import { commitWithOutbox } from '../future/outbox.ts';
import { futureChangeView, type FutureChangeView } from './views.ts';

/** Future Changes: every stored change, soonest first (pending and failed ones first of all). */
export async function listFutureChanges(
  deps: SubscriptionDeps,
  customerId: string,
  status?: string,
): Promise<FutureChangeView[]> {
  const { futureChanges } = await deps.customerData.services(customerId);
  const rank = (s: string) => (s === 'pending' || s === 'applying' || s === 'failed' ? 0 : 1);
  return futureChanges
    .map((c) => futureChangeView(c.value, c.etag))
    .filter((c) => !status || c.status === status)
    .sort(
      (a, b) =>
        rank(a.status) - rank(b.status) ||
        a.effectiveDate.localeCompare(b.effectiveDate) ||
        a.requestedAt.localeCompare(b.requestedAt),
    );
}

/**
 * Cancels a pending future change. A renewal quantity given to Microsoft as its scheduled next-term
 * instructions is withdrawn there first, so that the renewal keeps the current quantity.
 */
export async function cancelFutureChange(
  deps: SubscriptionDeps,
  input: { customerId: string; changeId: string; ifMatch: string | null; actor: Actor; isAdmin: boolean },
): Promise<void> {
  const found = await deps.customerData.futureChange(input.customerId, input.changeId);
  if (!found) throw notFound('FUTURE_CHANGE.NOT_FOUND', `No future change ${input.changeId}.`);
  if (input.ifMatch && input.ifMatch !== found.etag) throw preconditionFailed();
  const change = found.value;
  if (change.status !== 'pending' && change.status !== 'failed') {
    throw new AppError(
      'Conflict',
      'FUTURE_CHANGE.NOT_PENDING',
      `The change is ${change.status}; only pending or failed changes can be cancelled.`,
    );
  }
  if (change.change.kind !== 'quantity' && !input.isAdmin) {
    throw new AppError(
      'Forbidden',
      'AUTH.ROLE_TOO_LOW',
      'Only an Admin may cancel this kind of change; Modify may cancel quantity changes.',
    );
  }
  const now = deps.clock.now();
  const write: Parameters<typeof deps.customerData.commit>[1] = {
    futureChanges: [{ value: { ...change, status: 'cancelled', updatedAt: now.toISOString() }, etag: found.etag }],
    log: [
      {
        id: deps.ids.next(),
        customerId: input.customerId,
        at: now.toISOString(),
        actor: input.actor.label,
        source: 'portal',
        action: `cancel-scheduled:${change.change.kind}`,
        ...(change.subscriptionId ? { subscriptionId: change.subscriptionId } : {}),
        before: { status: change.status, effectiveDate: change.effectiveDate },
        after: { status: 'cancelled' },
      },
    ],
  };
  if (change.effective === 'onRenewal' && change.change.kind === 'quantity') {
    const subscription = await deps.customerData.subscription(input.customerId, change.subscriptionId);
    if (subscription?.value.scheduledQuantity !== undefined) {
      const result = await deps.commerce.updateSubscription(
        subscription.value.customerTenantId,
        subscription.value.id,
        { scheduledNextTermInstructions: null },
        `${change.id}-cancel`,
      );
      const { scheduledQuantity: _gone, ...rest } = subscription.value;
      write.subscriptions = [{ value: mergeFromMicrosoft({ ...rest }, result, now), etag: subscription.etag }];
    }
  }
  if (change.messageSequenceNumber)
    write.outbox = [{ id: deps.ids.next(), type: 'cancelMessage', sequenceNumber: change.messageSequenceNumber }];
  await commitWithOutbox(deps, input.customerId, write);
}
