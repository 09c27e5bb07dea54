import type { ChangeLogEntry } from '../../domain/subscription.ts';
import type { Actor } from '../subscriptions/deps.ts';
import type { M365Deps } from './deps.ts';

/**
 * F-LOG for Microsoft 365 actions: one entry per user, group or request changed, in the customer's change log
 * beside the subscription changes (no subscription id, so the billing engine's replay passes them by).
 */
export async function logM365(
  deps: Pick<M365Deps, 'customerData' | 'clock' | 'ids'>,
  customerId: string,
  actor: Actor,
  entries: {
    action: string;
    detail: string;
    productName?: string;
    before?: Record<string, unknown>;
    after?: Record<string, unknown>;
  }[],
): Promise<void> {
  if (!entries.length) return;
  const at = deps.clock.now().toISOString();
  const log: ChangeLogEntry[] = entries.map((e) => ({
    id: deps.ids.next(),
    customerId,
    at,
    actor: actor.label,
    source: 'portal',
    action: e.action,
    detail: e.detail,
    ...(e.productName ? { productName: e.productName } : {}),
    ...(e.before ? { before: e.before } : {}),
    ...(e.after ? { after: e.after } : {}),
  }));
  // An entity-group transaction takes at most 100 rows.
  for (let from = 0; from < log.length; from += 100)
    await deps.customerData.commit(customerId, { log: log.slice(from, from + 100) });
}
