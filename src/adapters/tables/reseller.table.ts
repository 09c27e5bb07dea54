import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import type { ResellerStore } from '../../app/ports/reseller.port.ts';
import { resellerSchema, type Reseller } from '../../domain/reseller.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** One partition `reseller`, row key the reseller id, the record as a JSON `data` column parsed on every read. */
const PARTITION = 'reseller';

function parse(entity: Record<string, unknown>): Versioned<Reseller> {
  try {
    return { value: resellerSchema.parse(JSON.parse(String(entity.data))), etag: String(entity.etag) };
  } catch (error) {
    throw corruptRow('resellers', String(entity.rowKey), error);
  }
}

export function resellerTable(client: TableClient): ResellerStore {
  const entity = (r: Reseller) => ({ partitionKey: PARTITION, rowKey: r.id, data: JSON.stringify(r) });
  return {
    async list() {
      const out: Versioned<Reseller>[] = [];
      for await (const row of client.listEntities<Record<string, unknown>>({
        queryOptions: { filter: odata`PartitionKey eq ${PARTITION}` },
      }))
        out.push(parse(row));
      return out.sort((a, b) => a.value.name.localeCompare(b.value.name, 'en') || a.value.id.localeCompare(b.value.id));
    },
    async get(resellerId) {
      try {
        return parse(await client.getEntity<Record<string, unknown>>(PARTITION, resellerId));
      } catch (error) {
        if (storageStatus(error) === 404) return undefined;
        throw error;
      }
    },
    async create(reseller) {
      const { etag } = await client.createEntity(entity(reseller));
      return { value: reseller, etag: etag ?? '' };
    },
    async replace(reseller, etag) {
      const result = await guarded(() => client.updateEntity(entity(reseller), 'Replace', { etag }));
      return { value: reseller, etag: result.etag ?? '' };
    },
  };
}
