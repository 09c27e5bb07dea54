import type { OutboxMessage } from '../../domain/outbox.ts';
import { dueAt, type FutureChange } from '../../domain/subscription.ts';
import { AppError } from '../errors.ts';
import { RowGone, type CommitResult, type CustomerWrite } from '../ports/customer-data.port.ts';
import type { DueEntry } from '../ports/due-index.port.ts';
import type { FutureDeps } from './deps.ts';

/**
 * The outbox: a write and the messages it causes commit in one transaction in the customer's partition, and
 * the messages are sent afterwards. Pointers to them (and the due-date index of future changes) are written
 * first, so that whatever crashes, the sweep finds what is left to do: a pointer without its message is
 * simply removed.
 */
export async function commitWithOutbox(
  deps: FutureDeps,
  customerId: string,
  write: CustomerWrite,
  due: DueEntry[] = [],
): Promise<CommitResult> {
  for (const entry of due) await deps.dueIndex.add(entry);
  const outbox = write.outbox ?? [];
  if (outbox.length) await deps.dueIndex.addOutbox(outbox.map((m) => ({ customerId, outboxId: m.id })));
  const result = await deps.customerData.commit(customerId, write);
  if (outbox.length) {
    // Best effort now; the sweep sends whatever this could not. Sending a schedule message rewrites its change
    // (sequence number), so the ETags returned are the ones after that.
    const rewritten = await dispatchOutbox(deps, customerId, outbox).catch(() => new Map<string, string>());
    for (const [changeId, etag] of rewritten) result.futureChangeEtags.set(changeId, etag);
  }
  return result;
}

/** Sends outbox messages and removes each once sent. Sending twice is harmless (ids deduplicate). */
export async function dispatchOutbox(
  deps: FutureDeps,
  customerId: string,
  messages: OutboxMessage[],
): Promise<Map<string, string>> {
  const rewritten = new Map<string, string>();
  for (const message of messages) {
    switch (message.type) {
      case 'scheduleChange': {
        const sequenceNumber = await deps.changeQueue.schedule(
          { changeId: message.changeId, customerId, subscriptionId: message.subscriptionId },
          new Date(message.at),
        );
        const etag = await markSent(deps, customerId, message.id, message.changeId, sequenceNumber);
        if (etag) rewritten.set(message.changeId, etag);
        break;
      }
      case 'cancelMessage':
        await deps.changeQueue.cancel(message.sequenceNumber);
        await markSent(deps, customerId, message.id);
        break;
      case 'mail':
        await deps.notifier.send(message.mail);
        await markSent(deps, customerId, message.id);
        break;
    }
    await deps.dueIndex.removeOutbox([{ customerId, outboxId: message.id }]);
  }
  return rewritten;
}

/** Sends what earlier writes left in their outboxes (the sweep calls this). */
export async function dispatchPendingOutbox(deps: FutureDeps, limit = 500): Promise<number> {
  let sent = 0;
  for (const pointer of await deps.dueIndex.pendingOutbox(limit)) {
    const message = await deps.customerData.outboxMessage(pointer.customerId, pointer.outboxId);
    if (!message) {
      await deps.dueIndex.removeOutbox([pointer]);
      continue;
    }
    await dispatchOutbox(deps, pointer.customerId, [message]);
    sent += 1;
  }
  return sent;
}

/**
 * Removes the sent message and, for a scheduled trigger, keeps its sequence number on the change, atomically.
 * Answers the change's new ETag when it rewrote the change.
 */
async function markSent(
  deps: FutureDeps,
  customerId: string,
  outboxId: string,
  changeId?: string,
  sequenceNumber?: string,
): Promise<string | undefined> {
  for (let attempt = 0; attempt < 3; attempt++) {
    const change = changeId ? await deps.customerData.futureChange(customerId, changeId) : undefined;
    const keep = change && sequenceNumber && (change.value.status === 'pending' || change.value.status === 'applying');
    try {
      const result = await deps.customerData.commit(customerId, {
        sentOutbox: [outboxId],
        ...(keep
          ? {
              futureChanges: [{ value: { ...change.value, messageSequenceNumber: sequenceNumber }, etag: change.etag }],
            }
          : {}),
      });
      return keep && changeId ? result.futureChangeEtags.get(changeId) : undefined;
    } catch (error) {
      if (error instanceof AppError && error.kind === 'PreconditionFailed') continue;
      // Another dispatcher removed it first.
      if (error instanceof RowGone) return undefined;
      throw error;
    }
  }
  return undefined;
}

/** The index entry and the trigger of a stored future change. */
export function schedulingOf(change: FutureChange, outboxId: string): { due: DueEntry; message: OutboxMessage } {
  const at = dueAt(change).toISOString();
  return {
    due: {
      customerId: change.customerId,
      changeId: change.id,
      subscriptionId: change.subscriptionId,
      dueAt: at,
      requestedAt: change.requestedAt,
    },
    message: { id: outboxId, type: 'scheduleChange', changeId: change.id, subscriptionId: change.subscriptionId, at },
  };
}
