import type { LegacySubscriptionRecord } from '../../domain/legacy-subscription.ts';
import type { OutboxMessage } from '../../domain/outbox.ts';
import type { ChangeLogEntry, FutureChange, SubscriptionRecord } from '../../domain/subscription.ts';
import type { Page, Versioned } from './customer.repository.port.ts';

/** A stored answer to an Idempotency-Key, so that a replayed request gets the first response. */
export interface IdempotencyRecord {
  key: string;
  requestHash: string;
  status: 'pending' | 'completed';
  response?: { status: number; body: unknown };
  createdAt: string;
}

/** Writes that commit together, atomically, in one customer's partition. */
export interface CustomerWrite {
  subscriptions?: { value: SubscriptionRecord; etag?: string }[];
  /** Legacy subscriptions, mirrored read-only. */
  legacy?: { value: LegacySubscriptionRecord; etag?: string }[];
  futureChanges?: { value: FutureChange; etag?: string }[];
  log?: ChangeLogEntry[];
  idempotency?: { value: IdempotencyRecord; etag?: string };
  /** Messages to send once this write has committed (see src/app/future/outbox.ts). */
  outbox?: OutboxMessage[];
  /** Outbox messages sent, removed with this write. */
  sentOutbox?: string[];
}

export interface CommitResult {
  subscriptionEtags: Map<string, string>;
  futureChangeEtags: Map<string, string>;
  idempotencyEtag?: string;
}

/**
 * The customer's operational data (subscriptions mirror, future changes, change log, idempotency records),
 * all in the customer's partition so that one write can change a subscription and log it atomically and one
 * query can read My Services.
 */
export interface CustomerDataStore {
  /** Subscriptions, legacy subscriptions and future changes of one customer: one partition query. */
  services(customerId: string): Promise<{
    subscriptions: Versioned<SubscriptionRecord>[];
    futureChanges: Versioned<FutureChange>[];
    legacy: Versioned<LegacySubscriptionRecord>[];
  }>;
  subscription(customerId: string, subscriptionId: string): Promise<Versioned<SubscriptionRecord> | undefined>;
  futureChange(customerId: string, changeId: string): Promise<Versioned<FutureChange> | undefined>;
  idempotency(customerId: string, key: string): Promise<Versioned<IdempotencyRecord> | undefined>;
  /** A future change and its subscription, in one query. */
  changeWithSubscription(
    customerId: string,
    changeId: string,
    subscriptionId: string,
  ): Promise<{ change?: Versioned<FutureChange>; subscription?: Versioned<SubscriptionRecord> }>;
  outboxMessage(customerId: string, outboxId: string): Promise<OutboxMessage | undefined>;
  /** Creates rows without an etag, replaces rows with one (412 when stale): all or nothing. */
  commit(customerId: string, write: CustomerWrite): Promise<CommitResult>;
  changeLog(
    customerId: string,
    filter: { from?: string; to?: string; subscriptionId?: string },
    pageSize: number,
    continuationToken?: string,
  ): Promise<Page<ChangeLogEntry>>;
}

/**
 * A commit removed (or replaced) a row that another writer removed first. The only rows ever removed are sent
 * outbox messages, whose sender takes this as "another dispatcher sent it"; no caller answers it to a client.
 */
export class RowGone extends Error {
  constructor() {
    super('A row this write replaces or removes is gone.');
    this.name = 'RowGone';
  }
}
