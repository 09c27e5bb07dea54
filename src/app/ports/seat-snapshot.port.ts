import type { SeatSnapshot } from '../../domain/seat-snapshot.ts';

/** Daily seat snapshots per customer; one per customer and day, and the latest of each month at hand. */
export interface SeatSnapshotStore {
  /** Stores the customer's snapshot of the day, replacing one taken earlier that day (idempotent per day). */
  save(snapshot: SeatSnapshot): Promise<void>;
  /** The customer's latest snapshot of each month in [fromMonth, toMonth] (`YYYY-MM`), by month; one query. */
  monthly(customerId: string, fromMonth: string, toMonth: string): Promise<Map<string, SeatSnapshot>>;
}
