import { odata, type TableClient } from '@azure/data-tables';
import type { ConsentRequestStore } from '../../app/ports/consent-request.port.ts';
import { consentRequestSchema, type ConsentRequest } from '../../domain/consent-request.ts';
import { corruptRow } from './table-errors.ts';

/**
 * Consent requests: partition per customer; row key the inverted request time then the id, so that a partition
 * query reads the newest first.
 */
export function consentRequestTable(client: TableClient): ConsentRequestStore {
  return {
    async create(request) {
      const inverted = String(8_640_000_000_000_000 - Date.parse(request.requestedAt)).padStart(16, '0');
      await client.createEntity({
        partitionKey: request.customerId,
        rowKey: `${inverted}|${request.id}`,
        data: JSON.stringify(request),
      });
    },
    async list(customerId, limit) {
      const out: ConsentRequest[] = [];
      const pages = client
        .listEntities<{ data: string; rowKey: string }>({
          queryOptions: { filter: odata`PartitionKey eq ${customerId}` },
        })
        .byPage({ maxPageSize: limit });
      for await (const page of pages) {
        for (const entity of page) {
          const parsed = consentRequestSchema.safeParse(JSON.parse(entity.data));
          if (!parsed.success) throw corruptRow('consentrequests', entity.rowKey, parsed.error);
          out.push(parsed.data);
        }
        if (out.length >= limit) break;
      }
      return out.slice(0, limit);
    },
  };
}
