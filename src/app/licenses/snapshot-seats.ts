import { utcDate } from '../../domain/calendar.ts';
import type { SeatSnapshot } from '../../domain/seat-snapshot.ts';
import { allCustomers } from '../customers.ts';
import type { SeatSnapshotDeps } from './deps.ts';

/**
 * F-REPORTS: today's purchased and assigned seats of every customer's subscriptions, from the mirror, one
 * snapshot per customer and day (taken again the same day, it is replaced: the day's last count stands).
 * Cancelled and expired subscriptions hold no seats and are left out.
 */
export async function snapshotSeats(
  deps: SeatSnapshotDeps,
  options: { concurrency?: number } = {},
): Promise<{ date: string; customers: number; subscriptions: number }> {
  const date = utcDate(deps.clock.now()).toString();
  const queue = await allCustomers(deps);
  const customers = queue.length;
  let subscriptions = 0;
  const worker = async () => {
    for (let customer = queue.shift(); customer; customer = queue.shift()) {
      const mirror = await deps.customerData.services(customer.id);
      const snapshot: SeatSnapshot = {
        customerId: customer.id,
        date,
        subscriptions: mirror.subscriptions
          .map(({ value }) => value)
          .filter((s) => s.status === 'active' || s.status === 'suspended')
          .map((s) => ({
            subscriptionId: s.id,
            productId: s.productId,
            productName: s.productName,
            status: s.status,
            purchased: s.quantity,
            assigned: s.assignedQuantity,
          }))
          .sort((a, b) => a.subscriptionId.localeCompare(b.subscriptionId)),
      };
      subscriptions += snapshot.subscriptions.length;
      await deps.seatSnapshots.save(snapshot);
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return { date, customers, subscriptions };
}
