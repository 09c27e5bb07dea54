import type { TableClient } from '@azure/data-tables';
import { odata } from '@azure/data-tables';
import { z } from 'zod';
import type { AccessRepository, Membership } from '../../app/ports/access.repository.port.ts';
import { customerRoles } from '../../domain/roles.ts';
import { corruptRow } from './table-errors.ts';

/**
 * Memberships indexed by identity: partition `{tenantId}_{objectId}`, one row per customer, so sign-in costs
 * one partition query. Written when a portal user binds an identity.
 */
const rowSchema = z.object({
  rowKey: z.string(),
  customerName: z.string(),
  userId: z.string(),
  role: z.enum(customerRoles),
  enabled: z.boolean(),
});

const partitionOf = (tenantId: string, objectId: string) => `${tenantId.toLowerCase()}_${objectId.toLowerCase()}`;

export function accessTable(client: TableClient): AccessRepository {
  return {
    async membershipsOf(tenantId, objectId) {
      const memberships: Membership[] = [];
      const rows = client.listEntities({
        queryOptions: { filter: odata`PartitionKey eq ${partitionOf(tenantId, objectId)}` },
      });
      for await (const entity of rows) {
        const parsed = rowSchema.safeParse(entity);
        if (!parsed.success) throw corruptRow('access', String(entity.rowKey), parsed.error);
        const { rowKey, ...rest } = parsed.data;
        memberships.push({ customerId: rowKey, ...rest });
      }
      return memberships;
    },
    async grant(tenantId, objectId, membership) {
      const { customerId, ...rest } = membership;
      await client.upsertEntity(
        { partitionKey: partitionOf(tenantId, objectId), rowKey: customerId, ...rest },
        'Replace',
      );
    },
  };
}
