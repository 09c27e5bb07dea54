import type { TableClient } from '@azure/data-tables';
import type { SeatSnapshotStore } from '../../app/ports/seat-snapshot.port.ts';
import { seatSnapshotSchema, type SeatSnapshot } from '../../domain/seat-snapshot.ts';
import { corruptRow } from './table-errors.ts';

/**
 * Partition = the customer. Each snapshot is written twice in one transaction: `day-{YYYY-MM-DD}` (the daily
 * history) and `month-{YYYY-MM}` (replaced every day, so it holds the month's latest), which lets a report of
 * twelve months read twelve rows per customer.
 */
export function seatSnapshotTable(client: TableClient): SeatSnapshotStore {
  const parse = (row: { rowKey?: string; data?: unknown }, customerId: string): SeatSnapshot => {
    const parsed = seatSnapshotSchema.safeParse(JSON.parse(String(row.data)));
    if (!parsed.success) throw corruptRow('seatsnapshots', `${customerId}/${row.rowKey}`, parsed.error);
    return parsed.data;
  };
  return {
    async save(snapshot) {
      const data = JSON.stringify(snapshot);
      const entity = (rowKey: string) => ({ partitionKey: snapshot.customerId, rowKey, data });
      await client.submitTransaction([
        ['upsert', entity(`day-${snapshot.date}`), 'Replace'],
        ['upsert', entity(`month-${snapshot.date.slice(0, 7)}`), 'Replace'],
      ]);
    },
    async monthly(customerId, fromMonth, toMonth) {
      const { odata } = await import('@azure/data-tables');
      const out = new Map<string, SeatSnapshot>();
      const rows = client.listEntities<{ data: string }>({
        queryOptions: {
          filter: odata`PartitionKey eq ${customerId} and RowKey ge ${`month-${fromMonth}`} and RowKey le ${`month-${toMonth}`}`,
        },
      });
      for await (const row of rows) out.set(String(row.rowKey).slice('month-'.length), parse(row, customerId));
      return out;
    },
  };
}
