import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import { z } from 'zod';
import type { ReconciliationStore } from '../../app/ports/reconciliation.port.ts';
import {
  customerReconciliationSchema,
  microsoftBilledLineSchema,
  type CustomerReconciliation,
  type MicrosoftBilledLine,
} from '../../domain/reconciliation.ts';
import { keyPart } from './usage.table.ts';
import { corruptRow, storageStatus } from './table-errors.ts';

/**
 * F-RECON in Table Storage. Microsoft's lines: table `msbilled`, partition `{YYYY-MM}|{customerTenantId}`, row key
 * the line's deterministic id, the line as JSON in `data`. Results: table `reconciliation`, partition `{YYYY-MM}`,
 * row key the customer id, the result as JSON; the month's import is the row `~import` of that partition.
 */
const BATCH = 100;
const IMPORT_ROW = '~import';
const importSchema = z.object({
  importedAt: z.iso.datetime(),
  importedBy: z.string(),
  lines: z.number().int().min(0),
  source: z.string(),
});

export function reconciliationTables(lines: TableClient, results: TableClient): ReconciliationStore {
  const parseLine = (entity: { rowKey?: unknown; data?: unknown }): MicrosoftBilledLine => {
    const parsed = microsoftBilledLineSchema.safeParse(JSON.parse(String(entity.data)));
    if (!parsed.success) throw corruptRow('msbilled', String(entity.rowKey), parsed.error);
    return parsed.data;
  };
  const parseResult = (entity: { rowKey?: unknown; data?: unknown }): CustomerReconciliation => {
    const parsed = customerReconciliationSchema.safeParse(JSON.parse(String(entity.data)));
    if (!parsed.success) throw corruptRow('reconciliation', String(entity.rowKey), parsed.error);
    return parsed.data;
  };
  return {
    async saveMicrosoftLines(month, customerTenantId, items) {
      const partitionKey = `${month}|${keyPart(customerTenantId)}`;
      for (let i = 0; i < items.length; i += BATCH) {
        const actions: TransactionAction[] = items
          .slice(i, i + BATCH)
          .map((line) => ['upsert', { partitionKey, rowKey: keyPart(line.id), data: JSON.stringify(line) }, 'Replace']);
        await lines.submitTransaction(actions);
      }
    },
    async microsoftLines(month, customerTenantId) {
      const out: MicrosoftBilledLine[] = [];
      const partitionKey = `${month}|${keyPart(customerTenantId)}`;
      for await (const entity of lines.listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${partitionKey}` },
      }))
        out.push(parseLine(entity));
      return out;
    },
    async recordImport(month, entry) {
      await results.upsertEntity({ partitionKey: month, rowKey: IMPORT_ROW, ...entry }, 'Replace');
    },
    async importOf(month) {
      try {
        const entity = await results.getEntity(month, IMPORT_ROW);
        const parsed = importSchema.safeParse(entity);
        if (!parsed.success) throw corruptRow('reconciliation', IMPORT_ROW, parsed.error);
        return parsed.data;
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async saveResult(result) {
      await results.upsertEntity(
        { partitionKey: result.month, rowKey: result.customerId, data: JSON.stringify(result) },
        'Replace',
      );
    },
    async *results(month) {
      const filter = odata`PartitionKey eq ${month} and RowKey ne ${IMPORT_ROW}`;
      for await (const entity of results.listEntities({ queryOptions: { filter } })) yield parseResult(entity);
    },
    async result(month, customerId) {
      try {
        return parseResult(await results.getEntity(month, customerId));
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
  };
}
