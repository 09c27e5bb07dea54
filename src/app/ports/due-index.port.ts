/**
 * Where the sweep finds what is due without scanning everything: future changes by due date, and messages
 * waiting in customers' outboxes. Both are written before the change they point to, so they are a superset:
 * an entry whose target is gone or done is simply removed.
 */
export interface DueEntry {
  customerId: string;
  changeId: string;
  subscriptionId: string;
  dueAt: string;
  requestedAt: string;
}

export interface OutboxPointer {
  customerId: string;
  outboxId: string;
}

export interface DueIndex {
  add(entry: DueEntry): Promise<void>;
  /** Entries due on a UTC date (YYYY-MM-DD). */
  due(date: string): Promise<DueEntry[]>;
  remove(entries: DueEntry[]): Promise<void>;
  addOutbox(pointers: OutboxPointer[]): Promise<void>;
  pendingOutbox(limit: number): Promise<OutboxPointer[]>;
  removeOutbox(pointers: OutboxPointer[]): Promise<void>;
}
