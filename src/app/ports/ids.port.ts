import { randomUUID } from 'node:crypto';

/**
 * Where new ids of stored things come from (customers, subscriptions, change-log entries, outbox messages …):
 * UUIDs, random in production. The demo seed switches the app's generator to a seeded one, so that the same seed
 * gives the same ids, and so the same bytes in every table and blob.
 */
export interface IdGenerator {
  /** A new id, shaped as a version-4 UUID. */
  next(): string;
}

export const randomIds: IdGenerator = { next: () => randomUUID() };
