import type { TableClient } from '@azure/data-tables';
import { preconditionFailed } from '../../app/errors.ts';
import type { LicenseCountStore } from '../../app/ports/license-counts.port.ts';
import { storedLicenseCountsSchema } from '../../domain/license-counts.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Partition = the month (`YYYY-MM`), one row `manual` holding that month's counts as JSON. */
const ROW = 'manual';

export function licenseCountsTable(client: TableClient): LicenseCountStore {
  return {
    async get(period) {
      let entity: Record<string, unknown>;
      try {
        entity = await client.getEntity<Record<string, unknown>>(period, ROW);
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
      try {
        return { value: storedLicenseCountsSchema.parse(JSON.parse(String(entity.data))), etag: String(entity.etag) };
      } catch (error) {
        throw corruptRow('licensecounts', period, error);
      }
    },
    async save(counts, etag) {
      const entity = { partitionKey: counts.period, rowKey: ROW, data: JSON.stringify(counts) };
      if (etag) {
        const result = await guarded(() => client.updateEntity(entity, 'Replace', { etag }));
        return { value: counts, etag: result.etag ?? '' };
      }
      try {
        const result = await client.createEntity(entity);
        return { value: counts, etag: result.etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw preconditionFailed(
            'The counts of this month were saved meanwhile; read them again and send their ETag as If-Match.',
          );
        throw error;
      }
    },
  };
}
