import { odata, type TableClient } from '@azure/data-tables';
import { z } from 'zod';
import { conflict, notFound } from '../../app/errors.ts';
import type { SaleProfileRepository } from '../../app/ports/catalog-admin.port.ts';
import type { Versioned } from '../../app/ports/customer.repository.port.ts';
import { saleProfileSchema, type SaleProfile } from '../../domain/sale-profile.ts';
import { corruptRow, guarded, storageStatus } from './table-errors.ts';

/** Profiles in partition `profile` (row = profile id); which profile a customer has in partition `assignment` (row = customer id). */
const PROFILE = 'profile';
const ASSIGNMENT = 'assignment';

const profileRow = z.object({ rowKey: z.string(), etag: z.string(), name: z.string(), productIds: z.string() });
const assignmentRow = z.object({ profileId: z.string() });

const toEntity = ({ id, name, productIds }: SaleProfile) => ({
  partitionKey: PROFILE,
  rowKey: id,
  name,
  productIds: JSON.stringify(productIds),
});

function fromEntity(entity: unknown): Versioned<SaleProfile> {
  try {
    const { rowKey, etag, name, productIds } = profileRow.parse(entity);
    return { value: saleProfileSchema.parse({ id: rowKey, name, productIds: JSON.parse(productIds) }), etag };
  } catch (error) {
    throw corruptRow('saleprofiles', String((entity as { rowKey?: unknown }).rowKey), error);
  }
}

async function orUndefined<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (storageStatus(error) === 404) return undefined;
    throw error;
  }
}

export function saleProfileTable(client: TableClient): SaleProfileRepository {
  return {
    async all() {
      const profiles: SaleProfile[] = [];
      for await (const entity of client.listEntities({ queryOptions: { filter: odata`PartitionKey eq ${PROFILE}` } }))
        profiles.push(fromEntity(entity).value);
      return profiles;
    },
    async get(profileId) {
      const entity = await orUndefined(() => client.getEntity(PROFILE, profileId));
      return entity && fromEntity(entity);
    },
    async create(profile) {
      try {
        const { etag } = await client.createEntity(toEntity(profile));
        return { value: profile, etag: etag ?? '' };
      } catch (error) {
        if (storageStatus(error) === 409)
          throw conflict('SALE_PROFILE.EXISTS', `Sale profile ${profile.id} exists already.`);
        throw error;
      }
    },
    async replace(profile, etag) {
      const result = await orUndefined(() =>
        guarded(() => client.updateEntity(toEntity(profile), 'Replace', { etag })),
      );
      if (!result) throw notFound('SALE_PROFILE.NOT_FOUND', `No sale profile ${profile.id}.`);
      return { value: profile, etag: result.etag ?? '' };
    },
    async profileOf(customerId) {
      const entity = await orUndefined(() => client.getEntity(ASSIGNMENT, customerId));
      if (!entity) return undefined;
      const parsed = assignmentRow.safeParse(entity);
      if (!parsed.success) throw corruptRow('saleprofiles', customerId, parsed.error);
      return parsed.data.profileId;
    },
    async assign(customerId, profileId) {
      if (profileId === null) await orUndefined(() => client.deleteEntity(ASSIGNMENT, customerId));
      else await client.upsertEntity({ partitionKey: ASSIGNMENT, rowKey: customerId, profileId }, 'Replace');
    },
  };
}
