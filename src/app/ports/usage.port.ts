import type { UsageRecord } from '../../domain/billing.ts';

/**
 * F-USAGE: rated daily Azure usage. `UsageSource` is where it comes from (Microsoft Graph's partner billing
 * export, the simulator, or a partner's reconciliation upload); `UsageStore` keeps it, partitioned per customer
 * and month, idempotently (the same day, subscription and meter from the same source is one record).
 */
export interface UsageSource {
  /**
   * Daily usage of every customer for [from, to) (UTC dates): at most one record per customer, subscription,
   * meter and day (a source sums its own finer rows, e.g. per resource, into it).
   */
  pull(from: string, to: string): AsyncIterable<UsageRecord>;
}

/** A reconciliation file imported once: re-uploading it is recognised by its hash. */
export interface UsageImport {
  /** SHA-256 of the file (hex); its records have the source `import:{fileHash}`. */
  fileHash: string;
  importedAt: string;
  importedBy: string;
  /** Data rows in the file. */
  rows: number;
  /** Records stored (rows of the same customer, subscription, meter and day are summed into one). */
  records: number;
}

export interface UsageStore {
  /**
   * Upserts records (same customer, subscription, meter, date and source replace each other), in entity-group
   * transactions of one customer-month each: a failure part-way leaves some months saved, and saving again is
   * harmless.
   */
  save(records: UsageRecord[]): Promise<void>;
  /**
   * One customer's records for [from, to), in date order (then subscription, then meter): the effective record
   * of each subscription, meter and day. When several sources hold that day, an imported reconciliation file
   * wins (the last file imported, if several), then `graph`, then the `simulator`: summing the costs of what
   * this returns never counts a day twice.
   */
  list(customerId: string, from: string, to: string, subscriptionId?: string): AsyncIterable<UsageRecord>;
  /** The import of a file, if that file was imported completely before. */
  findImport(fileHash: string): Promise<UsageImport | undefined>;
  /** Marks a file as imported (after all its records are saved). */
  recordImport(entry: UsageImport): Promise<void>;
}
