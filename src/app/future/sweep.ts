import { utcDate } from '../../domain/calendar.ts';
import type { DueEntry } from '../ports/due-index.port.ts';
import { applyDueChange, type ApplyOutcome } from './apply-due-change.ts';
import type { FutureDeps } from './deps.ts';
import { dispatchPendingOutbox } from './outbox.ts';

export interface SweepResult {
  due: number;
  applied: number;
  failed: number;
  skipped: number;
  retryLater: number;
  outboxSent: number;
}

export interface SweepOptions {
  /** Due dates looked at, back from today (a change missed for longer than this is still found by its message). */
  lookbackDays?: number;
  /** Subscriptions worked on at once; the changes of one subscription go in order. */
  concurrency?: number;
}

/**
 * The safety net of F-FUTURE (a timer every 15 minutes): sends what outboxes still hold, then applies every
 * change that is due and not applied — missed messages, crashed applications whose lease ran out — reading
 * only the due-date partitions of the last days. Changes of one subscription are applied in due order.
 */
export async function sweepDueChanges(deps: FutureDeps, options: SweepOptions = {}): Promise<SweepResult> {
  const now = deps.clock.now();
  const today = utcDate(now);
  const outboxSent = await dispatchPendingOutbox(deps);
  const entries: DueEntry[] = [];
  for (let back = options.lookbackDays ?? 31; back >= 0; back--) {
    entries.push(...(await deps.dueIndex.due(today.subtract({ days: back }).toString())));
  }
  const due = entries.filter((e) => new Date(e.dueAt).getTime() <= now.getTime());
  const groups = new Map<string, DueEntry[]>();
  for (const entry of due.sort(
    (a, b) => a.dueAt.localeCompare(b.dueAt) || a.requestedAt.localeCompare(b.requestedAt),
  )) {
    const key = `${entry.customerId}|${entry.subscriptionId || entry.changeId}`;
    groups.set(key, [...(groups.get(key) ?? []), entry]);
  }

  const result: SweepResult = { due: due.length, applied: 0, failed: 0, skipped: 0, retryLater: 0, outboxSent };
  const finished: DueEntry[] = [];
  const queue = [...groups.values()];
  const worker = async () => {
    for (let group = queue.shift(); group; group = queue.shift()) {
      for (const entry of group) {
        let outcome: ApplyOutcome | 'retry';
        try {
          outcome = await applyDueChange(deps, entry, { deliveryCount: 0 });
        } catch {
          outcome = 'retry';
        }
        if (outcome === 'applied') result.applied += 1;
        else if (outcome === 'failed') result.failed += 1;
        else if (outcome === 'skipped') result.skipped += 1;
        else result.retryLater += 1;
        if (outcome === 'applied' || outcome === 'failed' || outcome === 'skipped') finished.push(entry);
        // A later change of the same subscription waits for this one.
        if (outcome === 'retry' || outcome === 'busy') break;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency ?? 8) }, worker));
  await deps.dueIndex.remove(finished);
  return result;
}
