import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { DueEntry, DueIndex, OutboxPointer } from '../../app/ports/due-index.port.ts';
import { corruptRow, storageStatus } from './table-errors.ts';

/**
 * `duechanges`: partition = the UTC due date, row = `{customerId}|{changeId}`, so the sweep reads one
 * partition per day it looks at. `outbox`: partition `pending`, row = `{customerId}|{outboxId}`.
 * Removals go in entity-group transactions of up to 100 rows per partition.
 */
const entrySchema = z.object({
  partitionKey: z.string(),
  rowKey: z.string(),
  subscriptionId: z.string(),
  dueAt: z.string(),
  requestedAt: z.string(),
});
const PENDING = 'pending';

async function removeAll(client: TableClient, keys: { partitionKey: string; rowKey: string }[]): Promise<void> {
  const byPartition = new Map<string, string[]>();
  for (const { partitionKey, rowKey } of keys)
    byPartition.set(partitionKey, [...(byPartition.get(partitionKey) ?? []), rowKey]);
  for (const [partitionKey, rowKeys] of byPartition) {
    for (let i = 0; i < rowKeys.length; i += 100) {
      const actions: TransactionAction[] = rowKeys
        .slice(i, i + 100)
        .map((rowKey) => ['delete', { partitionKey, rowKey }]);
      try {
        await client.submitTransaction(actions);
      } catch (error) {
        // One row gone already (another sweep) fails the batch: fall back to one by one.
        if (storageStatus(error) !== 404) throw error;
        for (const [, entity] of actions) {
          await client.deleteEntity(entity.partitionKey, entity.rowKey).catch((e: unknown) => {
            if (storageStatus(e) !== 404) throw e;
          });
        }
      }
    }
  }
}

export function dueIndexTables(changes: TableClient, outbox: TableClient): DueIndex {
  return {
    async add(entry) {
      await changes.upsertEntity(
        {
          partitionKey: entry.dueAt.slice(0, 10),
          rowKey: `${entry.customerId}|${entry.changeId}`,
          subscriptionId: entry.subscriptionId,
          dueAt: entry.dueAt,
          requestedAt: entry.requestedAt,
        },
        'Replace',
      );
    },
    async due(date) {
      const entries: DueEntry[] = [];
      for await (const entity of changes.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${date}` } })) {
        const row = entrySchema.safeParse(entity);
        if (!row.success) throw corruptRow('duechanges', String(entity.rowKey), row.error);
        const [customerId = '', changeId = ''] = row.data.rowKey.split('|');
        entries.push({
          customerId,
          changeId,
          subscriptionId: row.data.subscriptionId,
          dueAt: row.data.dueAt,
          requestedAt: row.data.requestedAt,
        });
      }
      return entries;
    },
    remove: (entries) =>
      removeAll(
        changes,
        entries.map((e) => ({ partitionKey: e.dueAt.slice(0, 10), rowKey: `${e.customerId}|${e.changeId}` })),
      ),
    async addOutbox(pointers) {
      if (pointers.length === 0) return;
      await outbox.submitTransaction(
        pointers.map((p) => ['upsert', { partitionKey: PENDING, rowKey: `${p.customerId}|${p.outboxId}` }, 'Replace']),
      );
    },
    async pendingOutbox(limit) {
      const pointers: OutboxPointer[] = [];
      const pages = outbox
        .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${PENDING}`, select: ['RowKey'] } })
        .byPage({ maxPageSize: Math.min(limit, 1000) });
      for await (const page of pages) {
        for (const entity of page) {
          const [customerId = '', outboxId = ''] = String(entity.rowKey).split('|');
          pointers.push({ customerId, outboxId });
        }
        if (pointers.length >= limit) break;
      }
      return pointers.slice(0, limit);
    },
    removeOutbox: (pointers) =>
      removeAll(
        outbox,
        pointers.map((p) => ({ partitionKey: PENDING, rowKey: `${p.customerId}|${p.outboxId}` })),
      ),
  };
}
