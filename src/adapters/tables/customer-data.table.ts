import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import { conflict, preconditionFailed } from '../../app/errors.ts';
import {
  RowGone,
  type CommitResult,
  type CustomerDataStore,
  type CustomerWrite,
  type IdempotencyRecord,
} from '../../app/ports/customer-data.port.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import { legacySubscriptionRecordSchema, type LegacySubscriptionRecord } from '../../domain/legacy-subscription.ts';
import { outboxMessageSchema } from '../../domain/outbox.ts';
import {
  changeLogEntrySchema,
  futureChangeSchema,
  subscriptionRecordSchema,
  type ChangeLogEntry,
  type FutureChange,
  type SubscriptionRecord,
} from '../../domain/subscription.ts';
import { checkContinuationToken, corruptRow, storageStatus } from './table-errors.ts';
import { RecentMap } from '../recent-map.ts';

/**
 * One partition per customer. Row keys by kind:
 *   `S:sub:{subscriptionId}` subscription mirror, `S:chg:{changeId}` future change, `S:leg:{subscriptionId}` legacy
 *   subscription (read-only) — together under `S:`, so
 *   My Services is one range query; `L:{inverted time}:{id}` change log, newest first; `I:{key}` idempotency.
 * Values are stored as one JSON `data` column parsed with the domain schema on every read.
 */
const SUB = 'S:sub:';
const CHG = 'S:chg:';
const LEG = 'S:leg:';
const LOG = 'L:';
const IDEM = 'I:';
const OUTBOX = 'O:';
const MAX_TIME = 9_999_999_999_999;

const idempotencySchema = z.object({
  key: z.string(),
  requestHash: z.string(),
  status: z.enum(['pending', 'completed']),
  response: z.object({ status: z.number(), body: z.unknown() }).optional(),
  createdAt: z.string(),
});

const logKey = (entry: ChangeLogEntry) =>
  `${LOG}${String(MAX_TIME - new Date(entry.at).getTime()).padStart(13, '0')}:${entry.id}`;

/**
 * Rows read again unchanged (same key, same ETag, same bytes) reuse their earlier parse: My Services reads the
 * same rows on every page view. The cached values are frozen, so no caller can change what another reads. Only the
 * most recently read rows are kept (the rows of the customers being looked at): a billing worker reads every
 * customer's rows once, and a cache of all it read grew its heap with the run.
 */
const parsed = new RecentMap<string, { data: string; value: unknown }>(500);

function parse<T>(schema: z.ZodType<T>, entity: Record<string, unknown>): Versioned<T> {
  const data = String(entity.data);
  const etag = String(entity.etag);
  const key = `${String(entity.partitionKey)}/${String(entity.rowKey)}@${etag}`;
  const hit = parsed.get(key);
  if (hit && hit.data === data) return { value: hit.value as T, etag };
  try {
    const value = deepFreeze(schema.parse(JSON.parse(data)));
    parsed.set(key, { data, value });
    return { value, etag };
  } catch (error) {
    throw corruptRow('customerdata', `${String(entity.partitionKey)}/${String(entity.rowKey)}`, error);
  }
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object' && !Object.isFrozen(value)) {
    Object.freeze(value);
    for (const inner of Object.values(value)) deepFreeze(inner);
  }
  return value;
}

export function customerDataTable(client: TableClient): CustomerDataStore {
  const read = async <T>(
    customerId: string,
    rowKey: string,
    schema: z.ZodType<T>,
  ): Promise<Versioned<T> | undefined> => {
    try {
      return parse(schema, await client.getEntity(customerId, rowKey));
    } catch (error) {
      if (storageStatus(error) === 404) return undefined;
      throw error;
    }
  };

  return {
    async services(customerId) {
      const subscriptions: Versioned<SubscriptionRecord>[] = [];
      const futureChanges: Versioned<FutureChange>[] = [];
      const legacy: Versioned<LegacySubscriptionRecord>[] = [];
      const rows = client.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${customerId} and RowKey ge ${'S:'} and RowKey lt ${'S;'}` },
      });
      for await (const entity of rows) {
        const key = String(entity.rowKey);
        if (key.startsWith(SUB)) subscriptions.push(parse(subscriptionRecordSchema, entity));
        else if (key.startsWith(CHG)) futureChanges.push(parse(futureChangeSchema, entity));
        else if (key.startsWith(LEG)) legacy.push(parse(legacySubscriptionRecordSchema, entity));
      }
      return { subscriptions, futureChanges, legacy };
    },

    subscription: (customerId, subscriptionId) => read(customerId, `${SUB}${subscriptionId}`, subscriptionRecordSchema),
    futureChange: (customerId, changeId) => read(customerId, `${CHG}${changeId}`, futureChangeSchema),
    idempotency: (customerId, key) =>
      read(customerId, `${IDEM}${key}`, idempotencySchema as z.ZodType<IdempotencyRecord>),
    outboxMessage: async (customerId, outboxId) =>
      (await read(customerId, `${OUTBOX}${outboxId}`, outboxMessageSchema))?.value,

    async changeWithSubscription(customerId, changeId, subscriptionId) {
      const rows = client.listEntities<Record<string, unknown>>({
        queryOptions: {
          filter: odata`PartitionKey eq ${customerId} and (RowKey eq ${`${CHG}${changeId}`} or RowKey eq ${`${SUB}${subscriptionId}`})`,
        },
      });
      const found: { change?: Versioned<FutureChange>; subscription?: Versioned<SubscriptionRecord> } = {};
      for await (const entity of rows) {
        if (String(entity.rowKey).startsWith(CHG)) found.change = parse(futureChangeSchema, entity);
        else found.subscription = parse(subscriptionRecordSchema, entity);
      }
      return found;
    },

    async commit(customerId, write: CustomerWrite) {
      const actions: TransactionAction[] = [];
      const keys: string[] = [];
      const put = (rowKey: string, value: unknown, etag?: string, columns: Record<string, string> = {}) => {
        const entity = { partitionKey: customerId, rowKey, data: JSON.stringify(value), ...columns };
        actions.push(etag ? ['update', entity, 'Replace', { etag }] : ['create', entity]);
        keys.push(rowKey);
      };
      for (const { value, etag } of write.subscriptions ?? []) put(`${SUB}${value.id}`, value, etag);
      for (const { value, etag } of write.futureChanges ?? []) put(`${CHG}${value.id}`, value, etag);
      for (const { value, etag } of write.legacy ?? []) put(`${LEG}${value.id}`, value, etag);
      for (const entry of write.log ?? [])
        put(logKey(entry), entry, undefined, entry.subscriptionId ? { subscriptionId: entry.subscriptionId } : {});
      if (write.idempotency)
        put(`${IDEM}${write.idempotency.value.key}`, write.idempotency.value, write.idempotency.etag);
      for (const message of write.outbox ?? []) put(`${OUTBOX}${message.id}`, message);
      for (const id of write.sentOutbox ?? []) {
        actions.push(['delete', { partitionKey: customerId, rowKey: `${OUTBOX}${id}` }]);
        keys.push(`${OUTBOX}${id}`);
      }
      if (actions.length > 100) throw new Error('An entity-group transaction holds at most 100 rows');

      const result: CommitResult = { subscriptionEtags: new Map(), futureChangeEtags: new Map() };
      if (actions.length === 0) return result;
      let responses: { etag?: string }[];
      try {
        responses = (await client.submitTransaction(actions)).subResponses;
      } catch (error) {
        const status = storageStatus(error);
        if (status === 412) throw preconditionFailed();
        if (status === 409) throw conflict('REQUEST.ALREADY_EXISTS', 'The same change was committed already.');
        if (status === 404) throw new RowGone();
        throw error;
      }
      // Sub-responses come in the order of the actions (update responses carry no row key).
      for (const [index, { etag }] of responses.entries()) {
        const rowKey = keys[index];
        if (!rowKey || !etag) continue;
        if (rowKey.startsWith(SUB)) result.subscriptionEtags.set(rowKey.slice(SUB.length), etag);
        else if (rowKey.startsWith(CHG)) result.futureChangeEtags.set(rowKey.slice(CHG.length), etag);
        else if (rowKey.startsWith(IDEM)) result.idempotencyEtag = etag;
      }
      return result;
    },

    async changeLog(customerId, filter, pageSize, continuationToken) {
      // Newest first: the inverted time in the row key orders the partition; `from`/`to` bound it.
      const upper = filter.from
        ? `${LOG}${String(MAX_TIME - new Date(`${filter.from}T00:00:00Z`).getTime() + 1).padStart(13, '0')}`
        : `${LOG};`;
      const lower = filter.to
        ? `${LOG}${String(MAX_TIME - new Date(`${filter.to}T00:00:00Z`).getTime() - 86_400_000 + 1).padStart(13, '0')}`
        : LOG;
      const conditions = [odata`PartitionKey eq ${customerId} and RowKey ge ${lower} and RowKey lt ${upper}`];
      if (filter.subscriptionId) conditions.push(odata`subscriptionId eq ${filter.subscriptionId}`);
      const pages = client
        .listEntities<Record<string, unknown>>({ queryOptions: { filter: conditions.join(' and ') } })
        .byPage({ maxPageSize: pageSize, continuationToken: checkContinuationToken(continuationToken) });
      const { value } = await pages.next();
      const page = (value ?? []) as Record<string, unknown>[] & { continuationToken?: string };
      return {
        items: page.map((entity) => parse(changeLogEntrySchema, entity).value),
        ...(page.continuationToken ? { continuationToken: page.continuationToken } : {}),
      };
    },
  };
}
