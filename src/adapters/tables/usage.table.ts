import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { UsageImport, UsageStore } from '../../app/ports/usage.port.ts';
import { usageRecordSchema, type UsageRecord } from '../../domain/billing.ts';
import { monthsOf } from '../../domain/usage.ts';
import { corruptRow, storageStatus } from './table-errors.ts';

/**
 * Usage records: partition `{customerId}|{YYYY-MM}` (a month of one customer), row key
 * `{subscriptionId}|{meterId}|{date}|{source}` with each part escaped, the record as a JSON `data` column parsed on
 * every read. The sources of one subscription, meter and day are neighbours in the partition, so `list` picks the
 * effective one as it reads. Completed imports are rows of partition `import`, keyed by the file's hash.
 */
const IMPORTS = 'import';
const BATCH = 100;
const PARALLEL_BATCHES = 8;
/** Azure Table keys are at most 1 KiB. */
const MAX_KEY_LENGTH = 1024;

const importSchema = z.object({
  fileHash: z.string(),
  importedAt: z.iso.datetime(),
  importedBy: z.string(),
  rows: z.number().int().min(0),
  records: z.number().int().min(0),
});

/**
 * Escapes what table keys may not hold (`/ \ # ?` and control characters), the `|` that separates the parts, and
 * `%` itself, so that different parts never give the same key.
 */
export function keyPart(value: string): string {
  return value.replace(
    // eslint-disable-next-line no-control-regex -- control characters are exactly what keys may not hold
    /[%|/\\#?\u0000-\u001f\u007f-\u009f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export const usagePartition = (customerId: string, month: string) => `${customerId}|${month}`;

export function usageRowKey(record: Pick<UsageRecord, 'subscriptionId' | 'meterId' | 'date' | 'source'>): string {
  const key = [record.subscriptionId, record.meterId, record.date, record.source].map(keyPart).join('|');
  if (key.length > MAX_KEY_LENGTH)
    throw new Error(`Usage row key longer than ${MAX_KEY_LENGTH} characters: ${key.slice(0, 80)}…`);
  return key;
}

/** Higher wins: an imported file, then Microsoft's export, then the simulator. */
function rank(source: string): number {
  if (source.startsWith('import:')) return 3;
  if (source === 'graph') return 2;
  if (source === 'simulator') return 1;
  return 0;
}

interface Stored {
  record: UsageRecord;
  /** The row's last write (Table Storage's Timestamp): among imported files, the later one wins. */
  writtenAt: string;
}

function wins(candidate: Stored, current: Stored): boolean {
  const a = rank(candidate.record.source);
  const b = rank(current.record.source);
  if (a !== b) return a > b;
  if (candidate.writtenAt !== current.writtenAt) return candidate.writtenAt > current.writtenAt;
  return candidate.record.source > current.record.source;
}

function parseRow(entity: Record<string, unknown>): Stored {
  try {
    return {
      record: usageRecordSchema.parse(JSON.parse(String(entity.data))),
      writtenAt: new Date(String(entity.timestamp)).toISOString(),
    };
  } catch (error) {
    throw corruptRow('usage', `${String(entity.partitionKey)}/${String(entity.rowKey)}`, error);
  }
}

async function inParallel<T>(items: T[], limit: number, work: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const item = items[next++] as T;
      await work(item);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

export function usageTable(client: TableClient): UsageStore {
  return {
    async save(records) {
      // Per partition, by row key: a record repeated in one call is written once (the last one).
      const partitions = new Map<string, Map<string, UsageRecord>>();
      for (const record of records) {
        const partition = usagePartition(record.customerId, record.date.slice(0, 7));
        let rows = partitions.get(partition);
        if (!rows) partitions.set(partition, (rows = new Map()));
        rows.set(usageRowKey(record), record);
      }
      const batches: TransactionAction[][] = [];
      for (const [partitionKey, rows] of partitions) {
        const actions = [...rows].map(([rowKey, record]): TransactionAction => [
          'upsert',
          { partitionKey, rowKey, data: JSON.stringify(record) },
          'Replace',
        ]);
        for (let i = 0; i < actions.length; i += BATCH) batches.push(actions.slice(i, i + BATCH));
      }
      await inParallel(batches, PARALLEL_BATCHES, async (batch) => {
        await client.submitTransaction(batch);
      });
    },

    async *list(customerId, from, to, subscriptionId) {
      const months = monthsOf(from, to);
      const first = months[0];
      const last = months.at(-1);
      if (!first || !last) return;
      // One query over the months' partitions (a range of partition keys, read in key order: month by month)
      // rather than one per month: a billing window of 13 months is one round trip.
      const range = odata`PartitionKey ge ${usagePartition(customerId, first)} and PartitionKey le ${usagePartition(customerId, last)}`;
      // A subscription's rows share the prefix `{subscription}|`; `}` is the character after `|`.
      const filter = subscriptionId
        ? `${range} and ${odata`RowKey ge ${`${keyPart(subscriptionId)}|`} and RowKey lt ${`${keyPart(subscriptionId)}}`}`}`
        : range;
      let effective = new Map<string, Stored>();
      let partition: unknown;
      const monthRecords = () => {
        const records = [...effective.values()].map((s) => s.record);
        return records.sort(
          (a, b) =>
            a.date.localeCompare(b.date) ||
            a.subscriptionId.localeCompare(b.subscriptionId) ||
            a.meterId.localeCompare(b.meterId),
        );
      };
      for await (const entity of client.listEntities<Record<string, unknown>>({ queryOptions: { filter } })) {
        if (entity.partitionKey !== partition) {
          yield* monthRecords();
          effective = new Map();
          partition = entity.partitionKey;
        }
        const stored = parseRow(entity);
        const { record } = stored;
        if (record.date < from || record.date >= to) continue;
        const key = `${record.subscriptionId}\u0000${record.meterId}\u0000${record.date}`;
        const current = effective.get(key);
        if (!current || wins(stored, current)) effective.set(key, stored);
      }
      yield* monthRecords();
    },

    async findImport(fileHash) {
      try {
        const entity = await client.getEntity<Record<string, unknown>>(IMPORTS, keyPart(fileHash));
        try {
          return importSchema.parse(JSON.parse(String(entity.data))) satisfies UsageImport;
        } catch (error) {
          throw corruptRow('usage', `${IMPORTS}/${fileHash}`, error);
        }
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },

    async recordImport(entry) {
      await client.upsertEntity(
        { partitionKey: IMPORTS, rowKey: keyPart(entry.fileHash), data: JSON.stringify(entry) },
        'Replace',
      );
    },
  };
}
